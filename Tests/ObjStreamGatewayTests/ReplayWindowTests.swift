@testable import ObjStreamGateway
import Testing

/// The anti-replay window: 4096 nonces up to the highest, a bit each.
@Suite struct ReplayWindowTests {
    @Test func aNonceIsFreshOnceThenReplayedAndBelowTheWindowStale() {
        var window = ReplayWindow()
        #expect(window.verdict(0) == .fresh)
        window.accept(0)
        #expect(window.verdict(0) == .replayed)
        window.accept(100_000)
        #expect(window.verdict(100_000) == .replayed)
        #expect(window.verdict(100_000 - 4095) == .fresh)
        #expect(window.verdict(100_000 - 4096) == .stale)
        #expect(window.verdict(100_001) == .fresh)
    }

    @Test func slidingTheWindowForgetsExactlyTheNoncesItPassesOver() {
        var window = ReplayWindow()
        // Every nonce of 1...4096 accepted: the window is full.
        for n: UInt64 in 1...4096 { window.accept(n) }
        for n: UInt64 in 1...4096 { #expect(window.verdict(n) == .replayed) }
        // Sliding by 100 (across word boundaries) drops 1...100, keeps 101...4096 as accepted,
        // and leaves 4097...4195 (the bits reused) fresh.
        window.accept(4196)
        #expect(window.verdict(100) == .stale)
        for n: UInt64 in 101...4096 where window.verdict(n) != .replayed { Issue.record("nonce \(n) forgotten") }
        for n: UInt64 in 4097...4195 where window.verdict(n) != .fresh { Issue.record("nonce \(n) not fresh") }
        // A jump beyond the window clears it.
        window.accept(1_000_000)
        #expect(window.verdict(1_000_000 - 1) == .fresh)
        #expect(window.verdict(4196) == .stale)
    }

    @Test func aFloorCountsEveryNonceUpToItAsAccepted() {
        var window = ReplayWindow(floor: 9_000)
        #expect(window.verdict(9_000) == .replayed)
        #expect(window.verdict(8_999) == .replayed)
        #expect(window.verdict(1) == .stale)
        #expect(window.verdict(9_001) == .fresh)
        window.accept(9_003)
        #expect(window.verdict(9_001) == .fresh)
        #expect(window.verdict(9_002) == .fresh)
        #expect(window.verdict(9_000) == .replayed)
    }

    @Test func theLargestNonceSlidesWithoutOverflow() {
        var window = ReplayWindow()
        window.accept(UInt64.max - 10)
        window.accept(UInt64.max)
        #expect(window.verdict(UInt64.max) == .replayed)
        #expect(window.verdict(UInt64.max - 10) == .replayed)
        #expect(window.verdict(UInt64.max - 5) == .fresh)
    }
}
