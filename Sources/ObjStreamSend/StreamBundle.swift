import Foundation

/// One stream per destination, sending to all of them or to some (the reference's
/// bundle): an object sent to N destinations completes once, after the last of the
/// N streams completed it.
public final class StreamBundle: Sendable {
    /// The streams by destination id.
    public let streams: [String: ObjStream]

    /// Creates one stream per destination; opens nothing.
    /// - Parameters:
    ///   - destinations: Destination id to URL (`http://host:port/v1/objstream/<trname>`).
    ///   - options: The options of every stream.
    /// - Throws: ``SendError`` for an invalid URL or options.
    public init(destinations: [String: String], options: StreamOptions = StreamOptions()) throws(SendError) {
        var streams: [String: ObjStream] = [:]
        for (id, url) in destinations {
            streams[id] = try ObjStream(url: url, destinationID: id, options: options)
        }
        self.streams = streams
    }

    /// Sends an object to several destinations (all by default).
    ///
    /// Every destination gets its own source: the first the object's, the others
    /// ``ReopenableSource/reopen()`` copies. The object's callback (else the stream's)
    /// fires once, after the last destination completed it, with the first error.
    /// - Parameters:
    ///   - object: The object.
    ///   - destinations: The destination ids; nil: all, in id order.
    /// - Throws: ``SendError``: the first refusal (the object is still completed once),
    ///   or a source that cannot be reopened.
    public func send(_ object: OutgoingObject, to destinations: [String]? = nil) throws(SendError) {
        let ids = destinations ?? streams.keys.sorted()
        let targets = ids.compactMap { streams[$0] }
        guard targets.count == ids.count else {
            let unknown = ids.filter { streams[$0] == nil }
            let error = SendError(code: .invalidOptions, message: "unknown destinations \(unknown)")
            object.source?.close()
            object.callback?(object.header, object.context, error)
            throw error
        }
        guard !targets.isEmpty else { return }
        var sources: [(any ObjectSource)?] = [object.source]
        if targets.count > 1, let source = object.source {
            guard let reopenable = source as? any ReopenableSource else {
                source.close()
                let error = SendError(
                    code: .invalidOptions,
                    message: "\(object.header.objectName): sending to \(targets.count) destinations needs a ReopenableSource")
                object.callback?(object.header, object.context, error)
                throw error
            }
            for _ in 1..<targets.count {
                do {
                    sources.append(try reopenable.reopen())
                } catch {
                    sources.append(nil)
                }
            }
        } else {
            sources += Array(repeating: nil, count: targets.count - 1)
        }
        let shared = SharedCompletion(count: targets.count, callback: object.callback)
        var firstError: SendError?
        for (stream, source) in zip(targets, sources) {
            var copy = object
            copy.source = source
            copy.callback = nil
            copy.shared = shared
            do {
                try stream.send(copy)
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }

    /// Ends every stream (`fin()` on each, in parallel), waiting for all completions.
    public func fin() {
        for stream in streams.values { Thread { stream.fin() }.start() }
        for stream in streams.values { _ = stream.waitUntilCompleted(timeout: .seconds(365 * 24 * 3600)) }
    }

    /// Stops every stream.
    public func stop() {
        for stream in streams.values { stream.stop() }
    }
}
