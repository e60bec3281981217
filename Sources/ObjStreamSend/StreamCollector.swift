import Foundation
import ObjStreamMetrics
import ObjStreamWire

/// Watches every stream of the process in ticks (1 s by default): idle teardown of
/// streams that sent nothing for their `idleTeardown`, one grace tick for terminated
/// streams before they are freed, and slow ticking when there are none.
public final class StreamCollector: @unchecked Sendable {
    /// The collector of the process.
    public static let shared = StreamCollector()

    /// The tick.
    public let tick: Duration
    /// The tick while no stream is registered.
    public let slowTick: Duration
    private let condition = ConditionVariable()
    /// The streams, held weakly: a stream its users dropped is not kept alive here.
    private var streams: [WeakStream] = []
    private var running = false
    private var stopped = false
    private let ticks: Counter
    private let streamsGauge: Gauge
    private let idleTeardowns: Counter
    private let reaped: Counter

    /// Creates a collector; its thread starts with the first stream.
    /// - Parameters:
    ///   - tick: The tick (shorter in tests).
    ///   - slowTick: The tick while there are no streams.
    ///   - metrics: Where the `objstream_collector_*` metrics go.
    public init(tick: Duration = .seconds(1), slowTick: Duration = .seconds(240), metrics: MetricsRegistry = .shared) {
        self.tick = tick
        self.slowTick = slowTick
        ticks = metrics.counter("objstream_collector_ticks_total", help: "Stream collector ticks.").labels()
        streamsGauge = metrics.gauge("objstream_collector_streams", help: "Streams watched by the collector.").labels()
        idleTeardowns = metrics.counter(
            "objstream_collector_idle_teardowns_total", help: "Requests ended by idle teardown."
        ).labels()
        reaped = metrics.counter(
            "objstream_collector_reaped_total", help: "Terminated streams freed after their grace tick."
        ).labels()
    }

    /// A stream the collector watches without keeping it alive.
    private struct WeakStream {
        weak var stream: ObjStream?
    }

    /// The number of streams being watched.
    public var streamCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return streams.count { $0.stream != nil }
    }

    /// Stops every stream and the collector's thread (`Stop()`).
    public func stop() {
        condition.lock()
        stopped = true
        let all = streams.compactMap(\.stream)
        streams.removeAll()
        condition.broadcast()
        condition.unlock()
        streamsGauge.set(0)
        for s in all { s.stop() }
    }

    func add(_ stream: ObjStream) {
        condition.lock()
        defer { condition.unlock() }
        if stopped {
            // A stopped collector watches nothing: the stream still works, without idle teardown.
            return
        }
        streams.removeAll { $0.stream == nil }
        streams.append(WeakStream(stream: stream))
        streamsGauge.set(Int64(streams.count))
        if !running {
            running = true
            let t = Thread { [self] in
                ObjStream.nameThread("objstream-gc")
                run()
            }
            t.start()
        } else if streams.count == 1 {
            condition.broadcast()
        }
    }

    func countIdleTeardown() { idleTeardowns.increment() }

    private func run() {
        condition.lock()
        while !stopped {
            let wait = streams.isEmpty ? slowTick : tick
            let deadline = ContinuousClock.now + wait
            while !stopped, condition.wait(until: deadline) {
                if streams.count == 1 && wait == slowTick { break }
            }
            if stopped { break }
            // Strong for the tick only: a dropped stream's sender thread sees itself alone between ticks.
            var current = streams.compactMap(\.stream)
            condition.unlock()
            ticks.increment()
            var gone: [ObjectIdentifier] = []
            for s in current where !s.collectorTick() { gone.append(ObjectIdentifier(s)) }
            current.removeAll()
            condition.lock()
            let before = streams.count
            streams.removeAll { entry in entry.stream.map { gone.contains(ObjectIdentifier($0)) } ?? true }
            if !gone.isEmpty { reaped.increment(by: UInt64(gone.count)) }
            if streams.count != before { streamsGauge.set(Int64(streams.count)) }
        }
        running = false
        condition.unlock()
    }
}
