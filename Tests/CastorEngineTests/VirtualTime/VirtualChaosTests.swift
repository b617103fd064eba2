import CastorTestSupport
import Foundation
import Testing

/// `ChaosTests`' acceptance criterion on virtual time: the real engine against an in-memory
/// venue that injects, from one seed, placements that time out after executing and ones
/// that time out never having arrived, 429s, 5xx (taken or not), failing cancels (a
/// timeout after the cancel was done among them), partial and full fills, order events
/// lost (the feed reconnects on the gap), order-events disconnects with the reconnect's
/// reconciliation, and fills only reconciliation can recover. No socket, no wall-clock
/// wait: hundreds of orders in well under a second per run.
///
/// Asserted, as there: every intent (client order id) reached the venue as one order at
/// most, and never as two live at once; the engine's fills equal the venue's exactly
/// (trade id, amount, price); nothing was placed once the shutdown began, nothing is left
/// live. `CASTOR_CHAOS_ORDERS` raises the order count (default 300), `CASTOR_CHAOS_SEED`
/// picks the seeds (comma-separated); every failure names its seed.
///
/// A run is a function of its seed (`VirtualChaosReplayTests`, `Scripts/chaos-replay.sh`):
/// a failure's seed replays the same venue calls at the same virtual times, in any process.
/// The call journal (`Outcome.journal`; with `CASTOR_CHAOS_TRACE=<dir>` written to
/// `<dir>/<scenario>-<seed>.trace`) shows the sequence of the run that failed.
@Suite(.serialized) struct VirtualChaosTests {
    static let targetOrders = ProcessInfo.processInfo.environment["CASTOR_CHAOS_ORDERS"].flatMap(Int.init) ?? 300
    static let seeds: [UInt64] = ProcessInfo.processInfo.environment["CASTOR_CHAOS_SEED"]
        .map { $0.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) } }
        .flatMap { $0.isEmpty ? nil : $0 } ?? [0xC4A0_5001, 0xC4A0_5002, 0xC4A0_5003]

    @Test(arguments: seeds)
    func faultsNeverDuplicateOrdersOrLoseFills(seed: UInt64) async throws {
        let run = VirtualChaosRun(seed: seed, target: Self.targetOrders)
        let out = await offPool { run.run() }
        Self.summarise("quiet-then-shutdown", seed, out)
        try Self.checkInvariants(out, seed: seed, target: Self.targetOrders)
        #expect(out.equalWhenQuiet == true,
                "seed \(seed): the engine's fills never equalled the venue's in the quiet period \(Self.diff(out))")
        #expect(out.shutdownSucceeded, "seed \(seed): shutdown \(out.shutdown)")
        // Each fault really happened: otherwise the run tested less than it claims.
        let n = out.counts
        for (what, count) in [("placements timed out but executed", n.timeoutExecuted),
                              ("placements timed out and lost", n.timeoutLost), ("429s", n.rateLimited),
                              ("5xx placements taken", n.serverErrorTaken), ("5xx placements lost", n.serverErrorLost),
                              ("failed cancels", n.cancelFailed), ("cancels timed out but done", n.cancelTimedOutDone),
                              ("full fills", n.fills - n.partialFills), ("partial fills", n.partialFills),
                              ("lost order events", n.eventsLost), ("events lost while disconnected", n.eventsLostWhileDown),
                              ("disconnects", n.disconnects), ("gap reconnects", n.gapReconnects)] {
            #expect(count > 0, "seed \(seed): no \(what): the run did not exercise it (\(n))")
        }
        #expect(out.orderEventsConnects > 1 + n.disconnects / 2, "seed \(seed): the feed never came back")
        // Fills whose events were lost reached the engine through reconciliation (or an
        // order's status), not only through the feed.
        #expect((out.fillSources["myTrades"] ?? 0) > 0, "seed \(seed): reconciliation recovered no fill: \(out.fillSources)")
        #expect((out.fillSources["orderEvent"] ?? 0) > 0, "seed \(seed): no fill came by order event: \(out.fillSources)")
    }

    /// The shutdown arrives in the middle of it all: the strategy still placing (a backlog
    /// queued behind the rate limit, lookups and resends pending), every fault still on,
    /// the counterparty still trading until the session cancel. No order may leave after
    /// the shutdown began, and the final fill catch-up must leave the ledgers equal.
    @Test(arguments: seeds)
    func aShutdownInTheMiddleOfTheChaosPlacesNothingAndCatchesUpOnFills(seed: UInt64) async throws {
        var run = VirtualChaosRun(seed: seed ^ 0x5D, target: max(60, Self.targetOrders / 3))
        run.shutdownMidChaos = true
        let configured = run
        let out = await offPool { configured.run() }
        Self.summarise("shutdown-mid-chaos", seed ^ 0x5D, out)
        try Self.checkInvariants(out, seed: seed ^ 0x5D, target: run.target)
        #expect(out.shutdownSucceeded, "seed \(seed ^ 0x5D): shutdown \(out.shutdown)")
    }

    // MARK: Checks

    static func checkInvariants(_ out: VirtualChaosRun.Outcome, seed: UInt64, target: Int) throws {
        let replay = "seed \(seed) (rerun: CASTOR_CHAOS_SEED=\(seed) CASTOR_CHAOS_ORDERS=\(targetOrders))"
        try #require(out.startError == nil, "\(replay): start failed: \(out.startError ?? "")")
        #expect(out.reachedTarget, "\(replay): only \(out.counts.placedOnVenue) of \(target) orders reached the venue")
        #expect(out.multiplyPlaced.isEmpty, "\(replay): intents with more than one venue order: \(out.multiplyPlaced)")
        #expect(out.doubleLive.isEmpty, "\(replay): two live venue orders for one intent: \(out.doubleLive.sorted())")
        #expect(out.placesAfterShutdown.isEmpty, "\(replay): placed after the shutdown began: \(out.placesAfterShutdown)")
        #expect(out.venueFills.count > target / 4, "\(replay): too few fills to say anything: \(out.venueFills.count)")
        #expect(out.engineFills == out.venueFills, "\(replay): engine fills != venue fills \(diff(out))")
        #expect(out.venueLiveAfter == 0, "\(replay): \(out.venueLiveAfter) orders left live on the venue")
        #expect(out.engineOpenAfter == 0, "\(replay): the engine still tracks \(out.engineOpenAfter) open orders")
    }

    static func diff(_ out: VirtualChaosRun.Outcome) -> String {
        let engine = Set(out.engineFills), venue = Set(out.venueFills)
        return "(engine \(engine.count), venue \(venue.count); missing from the engine: \(venue.subtracting(engine).sorted().prefix(10)); "
            + "unknown to the venue: \(engine.subtracting(venue).sorted().prefix(10)))"
    }

    static func summarise(_ name: String, _ seed: UInt64, _ out: VirtualChaosRun.Outcome) {
        writeTrace(name, seed, out)
        print("""
            VIRTUAL CHAOS \(name) seed=\(seed) orders=\(out.counts.placedOnVenue) fills=\(out.venueFills.count) \
            engineFills=\(out.engineFills.count) intentsWithMultipleVenueOrders=\(out.multiplyPlaced.count) \
            doubleLive=\(out.doubleLive.count) placedAfterShutdown=\(out.placesAfterShutdown.count) \
            strategy(placed,refused)=\(out.strategyPlaced),\(out.strategyRefused) \
            fillSources=\(out.fillSources.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")) \
            orderEventsConnects=\(out.orderEventsConnects) reconciliations=\(out.reconciliations) \(out.counts) \
            shutdown=\(out.shutdown) virtual=\(out.virtualMs)ms wall=\(out.wallMs)ms
            """)
    }

    /// With `CASTOR_CHAOS_TRACE=<directory>`, writes the run's venue journal to
    /// `<directory>/<name>-<seed>.trace`, one line per call, stamped with its virtual time
    /// (`Scripts/chaos-replay.sh` diffs two processes' traces).
    static func writeTrace(_ name: String, _ seed: UInt64, _ out: VirtualChaosRun.Outcome) {
        guard let dir = ProcessInfo.processInfo.environment["CASTOR_CHAOS_TRACE"], !dir.isEmpty else { return }
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = out.journal.joined(separator: "\n") + "\n"
        _ = FileManager.default.createFile(atPath: "\(dir)/\(name)-\(seed).trace", contents: Data(text.utf8))
    }
}
