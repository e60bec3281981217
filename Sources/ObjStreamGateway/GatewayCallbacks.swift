import CMicroHTTPD
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

// libmicrohttpd calls these on its own threads. They are plain global functions
// (never closures capturing context) that reach Swift state only through their
// `void *` arguments: the stream daemon's `cls` is an unretained `Gateway`, `*con_cls` a
// retained `RequestContext`.

/// The access handler of every request (`MHD_AccessHandlerCallback`).
func gatewayAccessHandler(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, url: UnsafePointer<CChar>?,
    method: UnsafePointer<CChar>?, version: UnsafePointer<CChar>?, uploadData: UnsafePointer<CChar>?,
    uploadDataSize: UnsafeMutablePointer<Int>?, conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let url, let method, let uploadDataSize, let conCls else { return .NO }
    let gateway = Unmanaged<Gateway>.fromOpaque(cls).takeUnretainedValue()
    // The first call of a request: its headers are complete.
    if conCls.pointee == nil { gateway.connections.headersComplete(UInt(bitPattern: connection)) }
    return gateway.handle(
        connection: connection, url: url, method: method, uploadData: uploadData, uploadDataSize: uploadDataSize,
        context: conCls)
}

/// Called when a request ends, however it ends (`MHD_RequestCompletedCallback`).
func gatewayRequestCompleted(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    toe: MHD_RequestTerminationCode
) {
    guard let cls else { return }
    let gateway = Unmanaged<Gateway>.fromOpaque(cls).takeUnretainedValue()
    if let connection {
        gateway.connections.requestEnded(
            UInt(bitPattern: connection), timedOut: toe == .REQUEST_TERMINATED_TIMEOUT_REACHED)
    }
    guard let conCls, let raw = conCls.pointee else { return }
    conCls.pointee = nil
    let context = Unmanaged<RequestContext>.fromOpaque(raw).takeRetainedValue()
    gateway.completed(context, termination: toe)
}

/// libmicrohttpd's error log (`MHD_LogCallback`), escaped, to the gateway's log.
func gatewayLogger(cls: UnsafeMutableRawPointer?, format: UnsafePointer<CChar>?, arguments: CVaListPointer?) {
    guard let cls, let format, let arguments else { return }
    let gateway = Unmanaged<Gateway>.fromOpaque(cls).takeUnretainedValue()
    gateway.logLine("objstream: libmicrohttpd: \(LibMicroHTTPDLog.line(format, arguments))")
}

// The connection callbacks of every listener: `cls` is an unretained `ConnectionGuard`.

/// The accept policy (`MHD_AcceptPolicyCallback`): the guard's admission.
func listenerAcceptPolicy(cls: UnsafeMutableRawPointer?, address: UnsafePointer<sockaddr>?, length: socklen_t) -> MHD_Result {
    guard let cls else { return .YES }
    let connectionGuard = Unmanaged<ConnectionGuard>.fromOpaque(cls).takeUnretainedValue()
    return connectionGuard.admit(address.flatMap { SocketAddress($0, length: length) }) ? .YES : .NO
}

/// A connection opens or closes (`MHD_NotifyConnectionCallback`): the guard's table.
func listenerConnectionNotified(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    code: MHD_ConnectionNotificationCode
) {
    guard let cls, let connection else { return }
    let connectionGuard = Unmanaged<ConnectionGuard>.fromOpaque(cls).takeUnretainedValue()
    let key = UInt(bitPattern: connection)
    switch code {
    case .CONNECTION_NOTIFY_STARTED:
        if connectionGuard.limits.requiresClientCertificates, let session = CMicroHTTPD_tls_session(connection) {
            ListenerDaemon.requireClientCertificate(OpaquePointer(session))
        }
        let peer = CMicroHTTPD_client_address(connection).flatMap {
            SocketAddress($0, length: socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
        connectionGuard.opened(key, fd: CMicroHTTPD_connection_fd(connection), peer: peer)
    default:
        connectionGuard.closed(key)
    }
}
