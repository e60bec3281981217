import ObjStreamWire
import ObjStreamMetrics

/// Dispatches one request body to its receiver: owns the ``BodyDecoder``, feeds it
/// chunks, calls the receiver for each event and keeps the receive metrics.
///
/// One session serves one request on one thread. Per chunk it does one decoder feed
/// plus the receiver calls: no allocation, no thread hop, and one lock (the object-size
/// histogram): the metrics get what the chunk brought when it is done. The receiver's
/// ``ObjectReceiver/end(error:)`` is called exactly once, by ``finish()``,
/// ``abort(_:)`` or the first failure inside ``feed(_:)``.
public final class StreamSession {
    /// How a session ended.
    public enum Outcome {
        /// The body ended at a frame boundary.
        case clean
        /// The body is not a valid stream, or the transport failed inside it.
        case broken(BrokenStreamError)
        /// The receiver threw; the error reported to it is the stream position's break.
        case handler(any Error, reported: BrokenStreamError)

        /// The code for responses and metrics: `sbr_*`, `handler`, or nil when clean.
        public var code: String? {
            switch self {
            case .clean: nil
            case .broken(let error): error.code.description
            case .handler: ReceiveMetrics.handlerCode
            }
        }

        /// What went wrong, in one line; empty when clean.
        public var message: String {
            switch self {
            case .clean: ""
            case .broken(let error): error.description
            case .handler(let error, _): "receiver failed: \(error)"
            }
        }
    }

    /// Who sends on which endpoint.
    public let info: SessionInfo
    /// When the session started.
    public let started: ContinuousClock.Instant
    /// Complete data objects so far.
    public private(set) var objects = 0
    /// Control objects so far.
    public private(set) var controlObjects = 0
    /// Data bytes of data objects so far.
    public private(set) var bytes: Int64 = 0
    /// How the session ended; nil while it is open.
    public private(set) var outcome: Outcome?
    /// The data objects the receiver refused, in stream order (at most ``refusedLimit``
    /// listed; ``refusedCount`` counts them all).
    public private(set) var refused: [RefusedObject] = []
    /// How many data objects the receiver refused.
    public private(set) var refusedCount = 0
    /// Data bytes of the complete data objects the receiver took (not refused).
    public private(set) var takenBytes: Int64 = 0
    /// How many refusals ``refused`` lists at most (the receipt's bound).
    public static let refusedLimit = 10_000

    /// One refused object, for the receipt.
    public struct RefusedObject: Sendable {
        /// The object's place among the request's data objects, from 0.
        public var index: Int
        /// The object's bucket.
        public var bucket: Bucket
        /// The object's name.
        public var objectName: String
        /// The refusal.
        public var refusal: ObjectRefusal
    }

    private let decoder: BodyDecoder
    /// The decoder's frame decoder, held here too so that the data path does not load it per event.
    private let frames: StreamDecoder
    private let receiver: any ObjectReceiver
    private let series: ReceiveMetrics.EndpointSeries
    private let metrics: ReceiveMetrics
    private var currentIsControl = false
    private var currentBytes: Int64 = 0
    /// Whether the receiver refused the current object: it gets no more calls for it.
    private var currentRefused = false
    /// What the metrics have been told so far of ``objects``, ``controlObjects`` and ``bytes``.
    private var published = (objects: 0, controlObjects: 0, bytes: Int64(0))
    /// The sizes of objects completed since the metrics were last told.
    private var sizes: Histogram.Batch

    /// Opens a session: makes the decoder, then the endpoint's receiver.
    /// - Parameters:
    ///   - info: The session's identity.
    ///   - endpoint: The endpoint that makes the receiver.
    ///   - metrics: The receive metrics to keep.
    ///   - headerBuffer: The decoder's initial header buffer (`transport.max_header`).
    ///   - admitLZ4Frame: For a compressed stream, decides on each lz4 frame's block size
    ///     before it is allocated for (see ``BodyDecoder``); nil takes every frame.
    /// - Throws: ``BrokenStreamError`` (`sbr_lz4`) when the lz4 decompressor cannot be created.
    public init(
        info: SessionInfo, endpoint: any Endpoint, metrics: ReceiveMetrics,
        headerBuffer: Int = WireLimits.defaultHeaderSize, admitLZ4Frame: ((Int) -> Bool)? = nil
    ) throws(BrokenStreamError) {
        self.info = info
        self.decoder = try BodyDecoder(
            compressed: info.compressed, senderID: info.senderID, headerBuffer: headerBuffer, admitLZ4Frame: admitLZ4Frame)
        self.frames = decoder.frames
        self.metrics = metrics
        self.sizes = metrics.objectSize.makeBatch()
        self.series = metrics.endpoint(info.trname)
        self.receiver = endpoint.makeReceiver(for: info)
        self.started = .now
        series.sessions.increment()
        series.sessionsActive.increment()
    }

    /// Whether the session is still open (no end reported yet).
    public var isOpen: Bool { outcome == nil }

    /// Feeds the next chunk of the body.
    /// - Parameter chunk: The bytes as they came off the connection; only viewed during the call.
    /// - Returns: Whether the session is still open; after `false`, ``outcome`` says why it ended.
    @discardableResult
    public func feed(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard outcome == nil else { return false }
        defer { publish() }
        if !info.compressed {
            // The plain path pulls events straight from the frame decoder: no generic
            // closure call per chunk (the body decoder's generic feed is not specialized
            // across modules and costs metadata lookups on every tiny chunk).
            let frames = self.frames
            let receiver = self.receiver
            var input = chunk
            while true {
                let event: StreamDecoder.Event?
                do {
                    event = try frames.next(from: &input)
                } catch {
                    end(.broken(error))
                    return false
                }
                guard let event else { return true }
                do {
                    try dispatch(event, frames, receiver)
                } catch {
                    end(.handler(error, reported: decoder.failure("receiver failed (\(error))")))
                    return false
                }
            }
        }
        do throws(BodyDecodingError<any Error>) {
            try decoder.feed(chunk) { (event) throws(any Error) in try dispatch(event, frames, receiver) }
            return true
        } catch {
            switch error {
            case .broken(let broken):
                end(.broken(broken))
            case .handler(let thrown):
                end(.handler(thrown, reported: decoder.failure("receiver failed (\(thrown))")))
            }
            return false
        }
    }

    /// Ends the session at the end of the body: clean at a frame boundary, else broken.
    /// - Returns: The outcome (the earlier one when the session had already ended).
    @discardableResult
    public func finish() -> Outcome {
        if let outcome { return outcome }
        do {
            try decoder.finish()
        } catch {
            end(.broken(error))
            return outcome!
        }
        do {
            try receiver.commit()
            end(.clean)
        } catch {
            end(.handler(error, reported: decoder.failure("receiver failed to commit (\(error))")))
        }
        return outcome!
    }

    /// Ends the session because the transport failed (reset, timeout, shutdown).
    /// - Parameter cause: What failed, in words.
    /// - Returns: The outcome (the earlier one when the session had already ended).
    @discardableResult
    public func abort(_ cause: String) -> Outcome {
        if let outcome { return outcome }
        end(.broken(decoder.failure(cause)))
        return outcome!
    }

    /// Takes one event to the receiver and counts it.
    /// - Parameters:
    ///   - event: The decoder's event.
    ///   - frames: The session's frame decoder (``frames``), passed in so that it is not loaded per event.
    ///   - receiver: The session's receiver, likewise.
    private func dispatch(_ event: StreamDecoder.Event, _ frames: StreamDecoder, _ receiver: any ObjectReceiver) throws {
        switch event {
        case .data(let data):
            currentBytes += Int64(data.count)
            if !currentIsControl { bytes += Int64(data.count) }
            if currentRefused { return }
            do {
                try receiver.receive(data: data)
            } catch let refusal as ObjectRefusal {
                refuse(refusal)
            }
        case .header:
            currentIsControl = frames.header.isControl
            currentBytes = 0
            currentRefused = false
            do {
                // Lent by the decoder: passing `frames.header` as the argument would copy it.
                try frames.withHeader { (header) throws in try receiver.receive(header: header) }
            } catch let refusal as ObjectRefusal {
                refuse(refusal)
            }
        case .objectEnd:
            if !currentRefused {
                do {
                    try receiver.endObject()
                } catch let refusal as ObjectRefusal {
                    refuse(refusal)
                }
            }
            if currentIsControl {
                controlObjects += 1
            } else {
                if !currentRefused { takenBytes += currentBytes }
                objects += 1
                sizes.observe(Double(currentBytes))
            }
        case .marker:
            break
        }
    }

    /// Records a refusal of the current object.
    private func refuse(_ refusal: ObjectRefusal) {
        currentRefused = true
        guard !currentIsControl else { return }
        refusedCount += 1
        series.refusedObjects.increment()
        if refused.count < Self.refusedLimit {
            let header = frames.header
            refused.append(
                RefusedObject(index: objects, bucket: header.bucket, objectName: header.objectName, refusal: refusal))
        }
    }

    /// Tells the metrics what came since they were last told: counts, bytes, object sizes.
    private func publish() {
        if objects > published.objects { series.objects.increment(by: UInt64(objects - published.objects)) }
        if controlObjects > published.controlObjects {
            series.controlObjects.increment(by: UInt64(controlObjects - published.controlObjects))
        }
        if bytes > published.bytes { series.bytes.increment(by: UInt64(bytes - published.bytes)) }
        published = (objects, controlObjects, bytes)
        metrics.objectSize.record(&sizes)
    }

    private func end(_ outcome: Outcome) {
        publish()
        self.outcome = outcome
        series.sessionsActive.decrement()
        let elapsed = ContinuousClock.now - started
        metrics.sessionDuration.observe(elapsed.seconds)
        switch outcome {
        case .clean:
            receiver.end(error: nil)
        case .broken(let error):
            metrics.brokenStreams(error.code.description).increment()
            receiver.end(error: error)
        case .handler(_, let reported):
            metrics.brokenStreams(ReceiveMetrics.handlerCode).increment()
            receiver.end(error: reported)
        }
    }
}

extension StreamSession {
    /// What the session took and refused so far, as the gateway answers it.
    public var receipt: DeliveryReceipt {
        DeliveryReceipt(
            objects: objects - refusedCount, bytes: takenBytes,
            refused: refused.map {
                DeliveryReceipt.Refused(
                    index: $0.index, object: $0.objectName, bucket: $0.bucket.description, code: $0.refusal.code.description,
                    error: $0.refusal.message)
            },
            refusedUnlisted: refusedCount > refused.count ? refusedCount - refused.count : nil)
    }
}
