import CastorJournal
import Foundation
import Testing

/// Cost of a synced `recordFill`; run by hand with `CASTOR_JOURNAL_BENCH=1 swift test --filter
/// JournalBenchmark`. It prints instead of asserting: the number depends on the disk.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CASTOR_JOURNAL_BENCH"] != nil))
struct JournalBenchmark {
    @Test func recordFillCost() throws {
        let dir = TempDirectory()
        let journal = try Journal(stateDirectory: dir.path, scope: scope)
        let n = 10_000
        let fills = (0..<n).map { makeFill("t\($0)", ts: Int64($0)) }
        let clock = ContinuousClock()
        let fillTime = try clock.measure { for fill in fills { try journal.recordFill(fill) } }
        let duplicateTime = try clock.measure { for fill in fills.prefix(1_000) { try journal.recordFill(fill) } }
        let eventTime = try clock.measure {
            for i in 0..<n {
                try journal.recordOrderState(JournalOrderEvent(clientOrderID: "c\(i)", orderID: "o\(i)", state: .booked,
                                                               timestampMs: Int64(i), source: .ws))
            }
        }
        let batch = (0..<500).map { makeFill("b\($0)", ts: Int64($0)) }
        let batchTime = try clock.measure { try journal.recordFills(batch) }
        let loadTime = try clock.measure { _ = try journal.loadState() }
        func us(_ d: Duration, _ count: Int) -> String {
            String(format: "%.1f", Double(d.components.seconds) * 1e6 / Double(count) + Double(d.components.attoseconds) / 1e12 / Double(count))
        }
        print("recordFill (synced): \(us(fillTime, n)) µs/call over \(n)")
        print("recordFill duplicate: \(us(duplicateTime, 1_000)) µs/call")
        print("recordOrderState (deferred): \(us(eventTime, n)) µs/call over \(n)")
        print("recordFills batch of 500: \(us(batchTime, 500)) µs/fill")
        print("loadState with \(n) fills: \(us(loadTime, 1)) µs")
    }
}
