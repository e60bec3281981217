import ObjStreamSend
import ObjStreamWire

extension StreamOptions {
    /// Options from the `transport` and `sender` sections of a configuration.
    /// - Parameter configuration: The loaded configuration (already validated).
    public init(configuration: ObjStreamConfiguration) {
        self.init()
        let t = configuration.transport
        let s = configuration.sender
        burst = t.burstBuffer
        maxHeaderSize = t.maxHeader
        idleTeardown = t.idleTeardown
        lz4Block = LZ4BlockSize(bytes: t.lz4Block) ?? .kib256
        lz4ContentChecksum = t.lz4FrameChecksum
        connectTimeout = s.connectTimeout
        retryWindow = s.retryWindow
        writeTimeout = s.writeTimeout
        tcpNoDelay = s.tcpNoDelay
        sendBuffer = s.sendBuffer
        chunkSize = s.chunkSize
        pduSize = s.pduSize
        compressed = s.compression == .always
    }
}
