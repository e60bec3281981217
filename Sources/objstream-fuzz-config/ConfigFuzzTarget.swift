import ObjStreamCluster
import ObjStreamConfig
import ObjStreamFuzzSupport

/// libFuzzer's entry point for the configuration readers: the input is a configuration file.
///
/// Both readers (``ObjStreamConfiguration`` and the cluster map's) must return a value or a
/// ``ConfigError`` naming at least one problem, whatever the bytes; a configuration that
/// reads must print (``ObjStreamConfiguration/json()``) as JSON that reads back to an equal value.
/// - Parameters:
///   - data: The input's bytes.
///   - size: Their count.
/// - Returns: 0.
@_cdecl("LLVMFuzzerTestOneInput")
public func configFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 ? [UInt8](UnsafeBufferPointer(start: data, count: size)) : []
    do {
        let configuration = try ObjStreamConfiguration.parse(bytes)
        let printed = configuration.json()
        do {
            let again = try ObjStreamConfiguration.parse(Array(printed.utf8))
            guard again == configuration else { fatalError("the printed configuration reads back differently:\n\(printed)") }
        } catch {
            fatalError("the printed configuration does not read back: \(error)\n\(printed)")
        }
    } catch {
        guard !error.problems.isEmpty else { fatalError("a \(error.code) error without a problem") }
        _ = error.description
    }
    do {
        _ = try ClusterMap.parse(bytes)
    } catch {
        guard !error.problems.isEmpty else { fatalError("a cluster map \(error.code) error without a problem") }
        _ = error.description
    }
    return 0
}

@main
enum ConfigFuzzTarget {
    static func main() { FuzzDriver.main(configFuzzTestOneInput) }
}
