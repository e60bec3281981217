import Foundation
import ObjStreamGateway
import ObjStreamMetrics
import ObjStreamReceive
import ObjStreamSend
import ObjStreamWire

// The seed's two examples, ported: `objstream-examples headers` prints the Output of
// Example (Headers), `objstream-examples obj` that of Example (Obj); no argument runs both.

let lorem = """
    Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut
    labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.
    """
let duis = """
    Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.
    Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.
    """
let et = """
    Et harum quidem rerum facilis est et expedita distinctio. Nam libero tempore, cum soluta nobis est
    eligendi optio, cumque nihil impedit, quo minus id, quod maxime placeat, facere possimus, omnis voluptas assumenda est, omnis dolor repellendus.
    """
let temporibus = """
    Temporibus autem quibusdam et aut officiis debitis aut rerum necessitatibus saepe eveniet,
    ut et voluptates repudiandae sint et molestiae non-recusandae.
    """

/// Sends two texts as the seed's `sendText` does: each waits for its completion.
func sendText(_ stream: ObjStream, _ text1: String, _ text2: String) throws {
    let done = DispatchSemaphore(value: 0)
    let callback: SentCallback = { _, _, _ in done.signal() }
    let first = ObjectHeader(
        bucket: Bucket(name: "abc", provider: "aws", namespace: Namespace(uuid: "uuid", name: "namespace")),
        objectName: "X",
        attributes: ObjectAttributes(atime: 663_346_294, checksumType: "xxhash2", checksumValue: "h1", version: "1"))
    try stream.send(.bytes(first, Array(text1.utf8), callback: callback))
    done.wait()
    let second = ObjectHeader(
        bucket: Bucket(name: "abracadabra", provider: "ais"),
        objectName: "p/q/s",
        opaque: Array("123".utf8),
        attributes: ObjectAttributes(
            atime: 663_346_294, checksumType: "xxhash2", checksumValue: "h2", version: "222222222222222222222222",
            customMetadata: [MetadataEntry("xx", "11"), MetadataEntry("yy", "22")]))
    try stream.send(.bytes(second, Array(text2.utf8), callback: callback))
    done.wait()
}

/// A receiver that prints what the example asks for, per object.
final class PrintingReceiver: ObjectReceiver {
    private let onHeader: (ObjectHeader) -> Void
    private let onObject: ([UInt8]) -> Void
    private var bytes: [UInt8] = []

    init(onHeader: @escaping (ObjectHeader) -> Void = { _ in }, onObject: @escaping ([UInt8]) -> Void = { _ in }) {
        self.onHeader = onHeader
        self.onObject = onObject
    }

    func receive(header: ObjectHeader) throws {
        bytes.removeAll()
        onHeader(header)
    }

    func receive(data: UnsafeRawBufferPointer) throws { bytes += data }
    func endObject() throws { onObject(bytes) }
    func end(error: BrokenStreamError?) {}
}

/// Starts a gateway on an ephemeral loopback port with one endpoint.
func serve(_ name: String, _ endpoint: any Endpoint) throws -> Gateway {
    let endpoints = EndpointRegistry()
    try endpoints.register(name, endpoint)
    let gateway = Gateway(endpoints: endpoints, options: GatewayOptions(port: 0), metrics: MetricsRegistry(), log: { _ in })
    try gateway.start()
    return gateway
}

/// Example (Headers): the receiver prints every header with its encoded length.
func exampleHeaders() throws {
    let gateway = try serve(
        "headers",
        ClosureEndpoint { _ in
            PrintingReceiver(onHeader: { hdr in
                let opaque = "[" + hdr.opaque.map(String.init).joined(separator: " ") + "]"
                print(
                    "Bck:\(hdr.bucket) ObjName:\(hdr.objectName) SID:\(hdr.senderID) Opaque:\(opaque) "
                        + "ObjAttrs:{\(hdr.attributes)} (\(HeaderCodec.encodedLength(of: hdr)))")
            })
        })
    defer { gateway.stop() }
    var options = StreamOptions()
    options.metrics = MetricsRegistry()
    let stream = try ObjStream(url: "http://127.0.0.1:\(gateway.port)/v1/objstream/headers", options: options)
    try sendText(stream, lorem, duis)
    stream.fin()
}

/// Example (Obj): the receiver prints the first 16 bytes of every object.
func exampleObj() throws {
    let gateway = try serve(
        "dummy-obj",
        ClosureEndpoint { _ in
            PrintingReceiver(onObject: { object in print(String(decoding: object.prefix(16), as: UTF8.self) + "...") })
        })
    defer { gateway.stop() }
    var options = StreamOptions()
    options.metrics = MetricsRegistry()
    let stream = try ObjStream(url: "http://127.0.0.1:\(gateway.port)/v1/objstream/dummy-obj", options: options)
    try sendText(stream, lorem, duis)
    try sendText(stream, et, temporibus)
    stream.fin()
}

let which = CommandLine.arguments.dropFirst().first
do {
    if which == nil || which == "headers" { try exampleHeaders() }
    if which == nil || which == "obj" { try exampleObj() }
} catch {
    FileHandle.standardError.write(Data("objstream-examples: \(error)\n".utf8))
    exit(1)
}
