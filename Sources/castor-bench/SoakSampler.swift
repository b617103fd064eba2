import CastorCore
import CastorEngine
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches a soak run from the main thread: waits out the warm-up, then samples memory and
/// the engine's bounded structures at the start, every 10 % of the target and at the end.
final class SoakSampler {
    struct Row {
        var label: String
        var realSeconds: Double
        var engineMs: Int64
        var counts: SoakCounters.Snapshot
        var openOrders: Int
        var ledgerFills: Int
        var executedByOrder: Int
        var memory: ProcessMemory
        var simRSSKiB: Int
        var journalBytes: Int64
    }

    private let engine: Engine
    private let counters: SoakCounters
    private let clock: EngineClock
    private let simPID: Int32
    private let journal: String
    private var rows: [Row] = []
    private var startReal = ContinuousClock.now
    private var startEngineMs: Int64 = 0
    private var runStartReal = ContinuousClock.now

    init(engine: Engine, counters: SoakCounters, clock: EngineClock, simPID: Int32, journal: String) {
        self.engine = engine
        self.counters = counters
        self.clock = clock
        self.simPID = simPID
        self.journal = journal
    }

    func run(warmupOrders: Int, orders: Int?, durationMs: Int64) throws {
        runStartReal = ContinuousClock.now
        var lastPlaced = -1, lastProgress = ContinuousClock.now
        // Warm-up.
        while counters.snapshot.placed < warmupOrders {
            try stallCheck(&lastPlaced, &lastProgress)
            usleep(100_000)
        }
        startReal = ContinuousClock.now
        startEngineMs = clock.nowMs()
        let base = counters.snapshot
        rows.append(sample("start", base: base))
        emit(header)
        emit(format(rows[0], base: base))
        var nextTenth = 1
        while nextTenth <= 10 {
            usleep(50_000)
            try stallCheck(&lastPlaced, &lastProgress)
            let c = counters.snapshot
            let progress = orders.map { Double(c.placed - base.placed) / Double($0) }
                ?? Double(clock.nowMs() - startEngineMs) / Double(durationMs)
            while nextTenth <= 10, progress >= Double(nextTenth) / 10 {
                let row = sample(nextTenth == 10 ? "end" : "\(nextTenth * 10) %", base: base)
                rows.append(row)
                emit(format(row, base: base))
                nextTenth += 1
            }
        }
    }

    private func stallCheck(_ lastPlaced: inout Int, _ lastProgress: inout ContinuousClock.Instant) throws {
        let c = counters.snapshot
        if c.placed != lastPlaced { lastPlaced = c.placed; lastProgress = .now; return }
        if ContinuousClock.now - lastProgress > .seconds(30) {
            let status = engine.queue.sync { engine.statusLine }
            throw BenchFailure("no order placed for 30 s (\(c.placed) so far, \(c.refusals) refused, last refusal: \(c.lastRefusal ?? "none"); engine: \(status))")
        }
    }

    private func sample(_ label: String, base: SoakCounters.Snapshot) -> Row {
        let (open, fills, executed) = engine.queue.sync {
            let ledger = engine.fillLedger
            return (engine.openOrderCount, ledger.fills.count, ledger.executedByOrder.count)
        }
        return Row(label: label, realSeconds: seconds(ContinuousClock.now - startReal), engineMs: clock.nowMs() - startEngineMs,
                   counts: counters.snapshot, openOrders: open, ledgerFills: fills, executedByOrder: executed,
                   memory: .sample(), simRSSKiB: ProcessMemory.statusField("VmRSS:", pid: "\(simPID)"),
                   journalBytes: journalSize(journal))
    }

    private let header = "progress  engine-h  real-s   orders  cancels    fills  rejected  open  ledger-fills  exec-by-order  dirty-kB    RSS-kB  anon-kB  sim-RSS-kB  journal-MB"

    private func format(_ r: Row, base: SoakCounters.Snapshot) -> String {
        String(repeating: " ", count: max(0, 8 - r.label.count)) + r.label + String(format: "  %8.2f  %6.1f  %7d  %7d  %7d  %8d  %4d  %12d  %13d  %8d  %8d  %7d  %10d  %10.1f",
               Double(r.engineMs) / 3_600_000, r.realSeconds, r.counts.placed - base.placed,
               r.counts.cancelsRequested - base.cancelsRequested, r.counts.fills - base.fills,
               r.counts.rejected - base.rejected, r.openOrders,
               r.ledgerFills, r.executedByOrder, r.memory.privateDirtyKiB, r.memory.rssKiB, r.memory.anonKiB,
               r.simRSSKiB, Double(r.journalBytes) / 1_048_576)
    }

    func report(rateLimit: Double, stateDirectory: String) {
        guard let first = rows.first, let last = rows.last else { return }
        let real = last.realSeconds
        let placed = last.counts.placed - first.counts.placed
        let cancels = last.counts.cancelsRequested - first.counts.cancelsRequested
        let engineSeconds = Double(last.engineMs) / 1000
        emit(String(format: "measured phase: %.1f s real (whole run incl. start-up and warm-up %.1f s), %.2f h engine time",
                     real, seconds(ContinuousClock.now - runStartReal), engineSeconds / 3600))
        emit(String(format: "orders %d (%.0f/s real), cancels requested %d, private requests ≈ %d (%.0f/s real, %.2f/s engine time; limit %.2f/s)",
                     placed, Double(placed) / real, cancels, placed + cancels, Double(placed + cancels) / real,
                     Double(placed + cancels) / engineSeconds, rateLimit))
        let c = last.counts
        emit("whole run: placed \(c.placed), cancelled \(c.cancelled), filled orders \(c.filledOrders), rejected \(c.rejected), fills \(c.fills), refused by the engine \(c.refusals)\(c.lastRefusal.map { " (last: \($0))" } ?? "")")
        let growth = last.memory.privateDirtyKiB - first.memory.privateDirtyKiB
        let dirty = rows.map(\.memory.privateDirtyKiB)
        emit(String(format: "Private_Dirty start %d kB, end %d kB, min %d, max %d: %+d kB (%+.1f %%), %+.1f kB per 100k orders",
                     first.memory.privateDirtyKiB, last.memory.privateDirtyKiB, dirty.min() ?? 0, dirty.max() ?? 0, growth,
                     100 * Double(growth) / Double(max(1, first.memory.privateDirtyKiB)),
                     Double(growth) / Double(max(1, placed)) * 100_000))
        if let mark = nonceMark(stateDirectory) {
            let lead = mark - Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
            emit("nonce mark persisted \(lead) ms ahead of the wall clock (includes the 5 s reservation window)")
        }
    }

    private func nonceMark(_ directory: String) -> Int64? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory),
              let name = names.first(where: { $0.hasPrefix("nonce-") && !$0.hasSuffix(".tmp") }),
              let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else { return nil }
        return Int64(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) / 1e18
    }
}

/// One line to stdout with one `write(2)`, unbuffered, so the curve shows as it is taken
/// even through a pipe.
func emit(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
        if n <= 0 { return }
        offset += n
    }
}
