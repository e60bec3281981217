import ObjStreamReceive
import ObjStreamWire

/// What one stream session did, for the per-session log line.
public struct SessionSummary: Sendable, CustomStringConvertible {
    /// Who sent on which endpoint.
    public var info: SessionInfo
    /// Complete data objects.
    public var objects: Int
    /// Control objects.
    public var controlObjects: Int
    /// Data bytes.
    public var bytes: Int64
    /// How long the session lasted.
    public var duration: Duration
    /// `ok`, or the error code (`sbr_*`, `handler`).
    public var result: String
    /// What went wrong, in words; empty when `ok`.
    public var message: String

    /// Creates a summary.
    public init(
        info: SessionInfo, objects: Int, controlObjects: Int, bytes: Int64, duration: Duration, result: String,
        message: String
    ) {
        self.info = info
        self.objects = objects
        self.controlObjects = controlObjects
        self.bytes = bytes
        self.duration = duration
        self.result = result
        self.message = message
    }

    /// One line: `session sender=... sid=... endpoint=... remote=... objects=... bytes=... duration=...s result=...`
    /// and, for a broken stream, `error="..."`. The sender id, endpoint name and error come
    /// off the wire: they go through ``LogEscaping`` (a value with anything but plain
    /// characters is quoted and escaped, the error always), so no sender can forge a line.
    public var description: String {
        let ms = (duration.seconds * 1000).rounded() / 1000
        var line = "session sender=\(info.senderID.isEmpty ? "-" : LogEscaping.field(info.senderID)) sid=\(info.sessionID)"
        line += " endpoint=\(LogEscaping.field(info.trname)) remote=\(LogEscaping.field(info.remoteAddress)) objects=\(objects)"
        line += " control=\(controlObjects) bytes=\(bytes) duration=\(ms)s result=\(LogEscaping.field(result))"
        if !message.isEmpty { line += " error=\(LogEscaping.quoted(message))" }
        return line
    }
}
