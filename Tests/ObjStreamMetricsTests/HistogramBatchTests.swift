import ObjStreamMetrics
import Testing

/// Observations gathered in a batch land in the histogram as if observed one by one.
@Suite struct HistogramBatchTests {
    static let values: [Double] = [0, 10, 1024, 1025, 4096, 5000, 1_073_741_824, 7]

    static func text(_ feed: (Histogram) -> Void) -> String {
        let registry = MetricsRegistry()
        let family = registry.histogram("objstream_test_size_bytes", help: "Sizes.", bounds: [1024, 4096])
        feed(family.labels())
        return registry.render()
    }

    @Test func aRecordedBatchRendersTheSameTextAsTheSameObservationsOneByOne() {
        let oneByOne = Self.text { h in Self.values.forEach { h.observe($0) } }
        let batched = Self.text { h in
            var batch = h.makeBatch()
            for value in Self.values.prefix(3) { batch.observe(value) }
            h.record(&batch)
            #expect(batch.count == 0)
            for value in Self.values.dropFirst(3) { batch.observe(value) }
            #expect(batch.count == 5)
            h.record(&batch)
            // Recording the emptied batch again adds nothing.
            h.record(&batch)
        }
        #expect(batched == oneByOne)
        #expect(oneByOne.contains("objstream_test_size_bytes_bucket{le=\"1024\"} 4\n"))
        #expect(oneByOne.contains("objstream_test_size_bytes_count 8\n"))
    }
}
