import ArgumentParser
import CastorCore
import CastorEngine
import CastorJournal
import Foundation
import GeminiProtocol

/// `castor-bench`: measurements that need a large, made-up state and must not ship inside the
/// daemon's own command (issue 9 wants the benchmarks out of `castor`). Use a release build.
@main
struct CastorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "castor-bench",
        abstract: "Castor's benchmarks (use a release build).",
        subcommands: [JournalGenerateCommand.self, JournalStartCommand.self, LatencyCommand.self, SynthL2Command.self,
                      SoakCommand.self]
    )
}

/// A bench set-up failure, with what went wrong.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The journal scope both subcommands use (any scope behaves the same).
let benchScope = JournalScope(venue: "bench", account: nil)

/// `castor-bench journal-gen`: writes a journal of N fills into an empty directory, through
/// the journal's own API (so the rows, indexes and any aggregate are what the daemon writes),
/// in large synced batches: one fsync per batch, not per fill.
struct JournalGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "journal-gen",
                                                    abstract: "Generate a journal of many fills.")

    @Option(help: "State directory (created if missing; must not already hold the bench journal).")
    var directory: String

    @Option(help: "Number of fills.")
    var fills = 1_000_000

    @Option(help: "Number of symbols the fills are spread over.")
    var symbols = 3

    @Option(name: .customLong("spacing-ms"), help: "Milliseconds between consecutive fills.")
    var spacingMs: Int64 = 1_000

    func run() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = (directory as NSString).appendingPathComponent(benchScope.fileName)
        guard !FileManager.default.fileExists(atPath: file) else { throw BenchFailure("\(file) already exists") }
        let journal = try Journal(stateDirectory: directory, scope: benchScope)
        let names = ["btcusd", "ethusd", "solusd", "ltcusd", "dogeusd", "linkusd"]
        let start = ContinuousClock.now
        let base: Int64 = 1_700_000_000_000
        var batch: [JournalFill] = []
        batch.reserveCapacity(50_000)
        for i in 0..<fills {
            // Exact decimal text varying per fill, as real fills do; never a Double.
            let price = ExactDecimal("\(30_000 + i % 997).\(String(format: "%02d", i % 100))")!
            let amount = ExactDecimal("0.\(String(format: "%04d", 1 + i % 9_999))")!
            let fee = ExactDecimal("0.00\(1 + i % 97)")!
            batch.append(JournalFill(
                tradeID: String(10_000_000 + i), orderID: String(5_000_000 + i / 3), clientOrderID: nil,
                symbol: names[i % max(1, min(symbols, names.count))], side: i % 2 == 0 ? .buy : .sell,
                price: price, amount: amount, fee: fee, feeCurrency: "USD", liquidity: i % 3 == 0 ? .taker : .maker,
                timestampMs: base + Int64(i) * spacingMs))
            if batch.count == 50_000 {
                try journal.recordFills(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try journal.recordFills(batch) }
        try journal.close()
        let elapsed = ContinuousClock.now - start
        print("generated \(fills) fills in \(file): \(formatSeconds(elapsed)) s, \(journalSize(file)) bytes")
    }
}

/// `castor-bench journal-start`: opens the bench journal and rebuilds the engine's state
/// from it exactly as start-up does (`Engine.restoreLedger`), and prints the figures.
struct JournalStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "journal-start",
                                                    abstract: "Time opening a journal and rebuilding the engine's state.")

    @Option(help: "State directory holding the bench journal (from journal-gen).")
    var directory: String

    @Flag(name: .customLong("no-close"),
          help: "Exit without closing the journal, as a crash would (the next start sees an unclean shutdown).")
    var noClose = false

    func run() throws {
        let file = (directory as NSString).appendingPathComponent(benchScope.fileName)
        guard FileManager.default.fileExists(atPath: file) else { throw BenchFailure("\(file) does not exist; run journal-gen") }
        let size = journalSize(file)
        let clock = ContinuousClock()
        let t0 = clock.now
        let journal = try Journal(stateDirectory: directory, scope: benchScope)
        let t1 = clock.now
        let (state, ledger) = try Engine.restoreLedger(from: journal)
        let t2 = clock.now
        let fillCount = state.positions.values.reduce(0) { $0 + $1.fillCount }
        print("journal: \(file), \(size) bytes, \(fillCount) fills, \(state.positions.count) symbols")
        print("open: \(formatSeconds(t1 - t0)) s")
        print("state rebuild: \(formatSeconds(t2 - t1)) s (ledger holds \(ledger.fills.count) fills in memory)")
        print("start total: \(formatSeconds(t2 - t0)) s")
        print("peak RSS (VmHWM): \(peakRSS())")
        for symbol in state.positions.keys.sorted() {
            let p = ledger.position(.init(symbol))
            print("  \(symbol): base \(p.base), quote cash \(p.quoteCash), fills \(p.fillCount)")
        }
        if !noClose { try journal.close() }
    }
}

func formatSeconds(_ d: Duration) -> String {
    let (s, atto) = d.components
    return String(format: "%.3f", Double(s) + Double(atto) / 1e18)
}

/// The database file plus its WAL, as they sit on disk.
func journalSize(_ file: String) -> Int64 {
    [file, file + "-wal"].reduce(0) { sum, path in
        sum + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? nil ?? 0)
    }
}

/// This process's peak resident set size, from `/proc/self/status`.
func peakRSS() -> String {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return "unknown" }
    return line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces)
}
