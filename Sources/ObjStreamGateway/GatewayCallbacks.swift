import CMicroHTTPD

#if canImport(Glibc)
import Glibc
#endif

// libmicrohttpd calls these on its own threads. They are plain global functions
// (never closures capturing context) that reach Swift state only through their
// `void *` arguments: the daemon's `cls` is an unretained `Gateway`, `*con_cls` a
// retained `RequestContext`.

/// The access handler of every request (`MHD_AccessHandlerCallback`).
func gatewayAccessHandler(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, url: UnsafePointer<CChar>?,
    method: UnsafePointer<CChar>?, version: UnsafePointer<CChar>?, uploadData: UnsafePointer<CChar>?,
    uploadDataSize: UnsafeMutablePointer<Int>?, conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let url, let method, let uploadDataSize, let conCls else { return .NO }
    let gateway = Unmanaged<Gateway>.fromOpaque(cls).takeUnretainedValue()
    return gateway.handle(
        connection: connection, url: url, method: method, uploadData: uploadData, uploadDataSize: uploadDataSize,
        context: conCls)
}

/// Called when a request ends, however it ends (`MHD_RequestCompletedCallback`).
func gatewayRequestCompleted(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    toe: MHD_RequestTerminationCode
) {
    guard let cls, let conCls, let raw = conCls.pointee else { return }
    conCls.pointee = nil
    let gateway = Unmanaged<Gateway>.fromOpaque(cls).takeUnretainedValue()
    let context = Unmanaged<RequestContext>.fromOpaque(raw).takeRetainedValue()
    gateway.completed(context, termination: toe)
}

/// libmicrohttpd's error log (`MHD_LogCallback`), forwarded to the gateway's log.
func gatewayLogger(cls: UnsafeMutableRawPointer?, format: UnsafePointer<CChar>?, arguments: CVaListPointer?) {
    guard let cls, let format, let arguments else { return }
    let gateway = Unmanaged<Gateway>.fromOpaque(cls).takeUnretainedValue()
    var buffer = [CChar](repeating: 0, count: 512)
    _ = vsnprintf(&buffer, buffer.count, format, arguments)
    var line = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    while line.hasSuffix("\n") { line.removeLast() }
    gateway.logLine("objstream: libmicrohttpd: \(line)")
}
