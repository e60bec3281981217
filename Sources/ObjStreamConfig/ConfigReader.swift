import Foundation

/// Walks a parsed JSON document key by key, keeping defaults where a value is missing
/// and collecting every problem instead of stopping at the first.
struct ConfigReader {
    /// Everything found wrong so far.
    private(set) var problems: [ConfigProblem] = []

    /// Records a problem.
    /// - Parameters:
    ///   - key: The dotted key.
    ///   - value: The offending value, rendered as JSON text.
    ///   - message: What is wrong and what is allowed.
    mutating func report(_ key: String, _ value: Any, _ message: String) {
        problems.append(ConfigProblem(key: key, value: Self.render(value), message: message))
    }

    /// The object at `key`, with unknown keys reported.
    /// - Parameters:
    ///   - value: The parsed JSON value.
    ///   - key: Its dotted key (empty at the top level).
    ///   - known: The keys the object may have.
    /// - Returns: The object, or nil (and a problem) when it is not one.
    mutating func object(_ value: Any, key: String, known: [String]) -> [String: Any]? {
        guard let dictionary = value as? [String: Any] else {
            report(key, value, "must be an object with keys \(known.joined(separator: ", "))")
            return nil
        }
        for name in dictionary.keys.sorted() where !known.contains(name) {
            report(Self.join(key, name), dictionary[name]!, "unknown key (known: \(known.joined(separator: ", ")))")
        }
        return dictionary
    }

    /// An integer within `range`; JSON numbers only, no fractions, no bools.
    /// - Parameters:
    ///   - dictionary: The section.
    ///   - name: The key within it; absent keeps `target`.
    ///   - path: The section's dotted key.
    ///   - range: The allowed values.
    ///   - target: Where the value goes.
    mutating func integer(_ dictionary: [String: Any], _ name: String, in path: String, range: ClosedRange<Int>, into target: inout Int) {
        field(dictionary, name, in: path, into: &target, "must be an integer in \(range.lowerBound)..\(range.upperBound)") {
            Self.integer($0).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    /// A size: a JSON integer or a string like `"256KiB"`, accepted by `isAllowed`.
    /// - Parameters:
    ///   - dictionary: The section.
    ///   - name: The key within it; absent keeps `target`.
    ///   - path: The section's dotted key.
    ///   - allowed: The allowed values, for the message.
    ///   - target: Where the value goes.
    ///   - isAllowed: Whether a size in bytes is allowed.
    mutating func size(
        _ dictionary: [String: Any], _ name: String, in path: String, allowed: String,
        into target: inout Int, isAllowed: (Int) -> Bool
    ) {
        field(dictionary, name, in: path, into: &target, "must be a size (integer or string with B, KiB, MiB, GiB) \(allowed)") {
            let parsed: Int? = if let text = $0 as? String { ByteSize.parse(text) } else { Self.integer($0) }
            return parsed.flatMap { isAllowed($0) ? $0 : nil }
        }
    }

    /// A duration string like `"4s"`, accepted by `isAllowed`.
    /// - Parameters:
    ///   - dictionary: The section.
    ///   - name: The key within it; absent keeps `target`.
    ///   - path: The section's dotted key.
    ///   - allowed: The allowed values, for the message.
    ///   - target: Where the value goes.
    ///   - isAllowed: Whether a duration is allowed.
    mutating func duration(
        _ dictionary: [String: Any], _ name: String, in path: String, allowed: String,
        into target: inout Duration, isAllowed: (Duration) -> Bool
    ) {
        field(dictionary, name, in: path, into: &target, "must be a duration string like \"500ms\", \"4s\", \"2m\" \(allowed)") {
            ($0 as? String).flatMap(DurationFormat.parse).flatMap { isAllowed($0) ? $0 : nil }
        }
    }

    /// A JSON `true` or `false`.
    /// - Parameters:
    ///   - dictionary: The section.
    ///   - name: The key within it; absent keeps `target`.
    ///   - path: The section's dotted key.
    ///   - target: Where the value goes.
    mutating func bool(_ dictionary: [String: Any], _ name: String, in path: String, into target: inout Bool) {
        field(dictionary, name, in: path, into: &target, "must be true or false") { Self.isBool($0) ? $0 as? Bool : nil }
    }

    /// A string, accepted by `check`.
    /// - Parameters:
    ///   - dictionary: The section.
    ///   - name: The key within it; absent keeps `target`.
    ///   - path: The section's dotted key.
    ///   - target: Where the value goes.
    ///   - check: Returns the problem's message for a bad string, nil for a good one.
    mutating func string(
        _ dictionary: [String: Any], _ name: String, in path: String, into target: inout String, check: (String) -> String?
    ) {
        guard let value = dictionary[name] else { return }
        guard let text = value as? String else {
            report(Self.join(path, name), value, check("") ?? "must be a string")
            return
        }
        if let message = check(text) {
            report(Self.join(path, name), value, message)
            return
        }
        target = text
    }

    /// One of the raw values of `E`.
    /// - Parameters:
    ///   - dictionary: The section.
    ///   - name: The key within it; absent keeps `target`.
    ///   - path: The section's dotted key.
    ///   - target: Where the value goes.
    mutating func choice<E: RawRepresentable & CaseIterable>(
        _ dictionary: [String: Any], _ name: String, in path: String, into target: inout E
    ) where E.RawValue == String {
        field(dictionary, name, in: path, into: &target, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))") {
            ($0 as? String).flatMap(E.init(rawValue:))
        }
    }

    /// One value: absent keeps `target`, a value that `parse` takes goes into it, any other is reported.
    /// - Parameters:
    ///   - dictionary: The section.
    ///   - name: The key within it.
    ///   - path: The section's dotted key.
    ///   - target: Where the value goes.
    ///   - message: What a bad value is told.
    ///   - parse: The value, or nil when it is not allowed.
    mutating func field<T>(
        _ dictionary: [String: Any], _ name: String, in path: String, into target: inout T, _ message: String,
        parse: (Any) -> T?
    ) {
        guard let value = dictionary[name] else { return }
        guard let parsed = parse(value) else {
            report(Self.join(path, name), value, message)
            return
        }
        target = parsed
    }

    /// `a.b`, or `b` at the top level.
    /// - Parameters:
    ///   - path: The section's dotted key.
    ///   - name: The key within it.
    /// - Returns: The joined key.
    static func join(_ path: String, _ name: String) -> String {
        path.isEmpty ? name : path + "." + name
    }

    /// Whether a value came from JSON `true`/`false` (on Linux, `1 is Bool` also holds, so check the class).
    /// - Parameter value: A parsed JSON value.
    /// - Returns: Whether it is a boolean.
    static func isBool(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return type(of: number) == booleanClass
    }

    private static let booleanClass: NSNumber.Type = type(of: NSNumber(value: true))

    /// The integer a JSON number holds.
    /// - Parameter value: A parsed JSON value.
    /// - Returns: The integer, nil for bools, fractions, strings and out-of-range values.
    static func integer(_ value: Any) -> Int? {
        guard let number = value as? NSNumber, !isBool(value), !(value is NSDecimalNumber) else { return nil }
        switch String(cString: number.objCType) {
        case "c", "C", "s", "S", "i", "I", "l", "L", "q", "Q":
            return Int(exactly: number.int64Value)
        default:
            return Int(exactly: number.doubleValue)
        }
    }

    /// A value as JSON text, for problem reports (`"4x"`, `99999`, `true`, `null`, `{...}`).
    /// - Parameter value: A parsed JSON value.
    /// - Returns: Its compact JSON text.
    static func render(_ value: Any) -> String {
        switch value {
        case let text as String: return JSONString.quote(text)
        case _ where isBool(value): return (value as? Bool) == true ? "true" : "false"
        case let number as NSNumber: return number.stringValue
        case is NSNull: return "null"
        case let array as [Any]: return "[" + array.map(render).joined(separator: ",") + "]"
        case let object as [String: Any]:
            return "{" + object.keys.sorted().map { JSONString.quote($0) + ":" + render(object[$0]!) }.joined(separator: ",") + "}"
        default: return String(describing: value)
        }
    }
}
