import CastorTestSupport
import Foundation
import Testing

/// A virtual chaos run is a function of its seed: two runs of one seed make the same venue
/// calls, in the same order, at the same virtual times (`Outcome.journal`, every line
/// stamped with its virtual time). Across processes too: `Scripts/chaos-replay.sh` runs
/// `VirtualChaosTests` twice with `CASTOR_CHAOS_TRACE` and diffs the traces.
@Suite(.serialized) struct VirtualChaosReplayTests {
    /// Smaller than `VirtualChaosTests`' runs (fast), big enough to strike every fault.
    static let orders = 120

    @Test(arguments: [UInt64(0xC4A0_5001), 0xC4A0_5002])
    func oneSeedReplaysTheSameVenueCallsAtTheSameVirtualTimes(seed: UInt64) async throws {
        let run = VirtualChaosRun(seed: seed, target: Self.orders)
        let first = await offPool { run.run() }
        let second = await offPool { run.run() }
        try #require(first.startError == nil && second.startError == nil, "seed \(seed): \(first.startError ?? second.startError ?? "")")
        #expect(first.journal.count > Self.orders, "seed \(seed): a journal of only \(first.journal.count) lines")
        let same = first.journal == second.journal
        #expect(same, "seed \(seed): the runs diverged: \(Self.firstDifference(first.journal, second.journal))")
        #expect(first.virtualMs == second.virtualMs)
        let sameFills = first.engineFills == second.engineFills
        #expect(sameFills, "seed \(seed): the engines' fills differ")
    }

    /// The mid-chaos shutdown too (the test thread drives faults while the shutdown runs).
    @Test func aMidChaosShutdownReplaysToo() async throws {
        var run = VirtualChaosRun(seed: 0xC4A0_5001 ^ 0x5D, target: 60)
        run.shutdownMidChaos = true
        let configured = run
        let first = await offPool { configured.run() }
        let second = await offPool { configured.run() }
        let same = first.journal == second.journal
        #expect(same, "the runs diverged: \(Self.firstDifference(first.journal, second.journal))")
    }

    /// "line n: a | b" for the first line where the journals differ.
    static func firstDifference(_ a: [String], _ b: [String]) -> String {
        for i in 0 ..< max(a.count, b.count) where i >= a.count || i >= b.count || a[i] != b[i] {
            let x = i < a.count ? a[i] : "<end>", y = i < b.count ? b[i] : "<end>"
            return "line \(i + 1) of \(a.count)/\(b.count): \(x) | \(y)"
        }
        return "none"
    }
}
