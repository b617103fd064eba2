import ArgumentParser
import Glibc
import MarketData

/// `castor replay FILE`: rebuilds books from a market data v2 recording and reports them
/// with throughput figures (the market-data hot path's benchmark).
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay recorded market data v2 (one message per line) into order books.",
        discussion: """
            Lines may carry a `<unix time>: ` prefix. Blank lines, comments, non-JSON and \
            sent subscribe/unsubscribe requests are skipped and counted. Prints the top \
            levels per symbol, counts, elapsed seconds, messages/s, MB/s and peak RSS.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Recorded market data v2 file.")
    var file: String

    @Option(help: "Levels per side to print (default 10).")
    var depth: Int = 10

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func validate() throws {
        guard depth >= 0 else { throw ValidationError("--depth must be 0 or more, got \(depth)") }
    }

    func run() throws {
        let mapped: MappedFile
        do { mapped = try MappedFile(path: file) } catch {
            let text = "castor replay: \(error)\n"; _ = write(2, text, text.utf8.count)
            throw ExitCode.failure
        }
        var replay = MarketDataReplay()
        let start = monotonicSeconds()
        replay.run(mapped.bytes)
        let seconds = monotonicSeconds() - start
        switch format {
        case .json:
            print(replay.jsonReport(depth: depth, seconds: seconds))
        case .text:
            printText(replay, seconds: seconds)
        }
    }

    private func printText(_ replay: MarketDataReplay, seconds: Double) {
        let books = replay.feed.books
        for (symbol, bids, asks) in replay.snapshot(depth: depth) {
            let id = replay.feed.symbolID(symbol)
            let crossed = id.map { books.book($0)?.isCrossed ?? false } ?? false
            let book = id.flatMap { books.book($0) }
            print("\(symbol)  bids \(book?.bidCount ?? 0)  asks \(book?.askCount ?? 0)\(crossed ? "  CROSSED" : "")")
            print("  " + pad("bid qty", 20) + pad("bid", 16) + " | " + pad("ask", 16) + "ask qty")
            for i in 0..<max(bids.count, asks.count) {
                let b = i < bids.count ? bids[i] : nil, a = i < asks.count ? asks[i] : nil
                print("  " + pad(b.map { "\($0.quantity)" } ?? "", 20) + pad(b.map { "\($0.price)" } ?? "", 16)
                      + " | " + pad(a.map { "\($0.price)" } ?? "", 16) + (a.map { "\($0.quantity)" } ?? ""))
            }
            if let id, let t = books.lastTrade(id) {
                print("  last trade: \(t.takerSide.rawValue) \(t.quantity) @ \(t.price) (event \(t.eventID))")
            }
        }
        let c = books.counters
        let mb = Double(replay.bytes) / 1_000_000
        let rate = seconds > 0 ? Double(replay.messages) / seconds : 0
        print("messages: \(replay.messages)  skipped: \(replay.skipped)  malformed: \(replay.malformed)")
        if let (line, error) = replay.firstMalformed { print("first malformed: line \(line): \(error)") }
        print("l2: \(c.l2Messages) (snapshots \(c.snapshots))  trades: \(c.trades)  heartbeats: \(c.heartbeats)  crossed updates: \(c.crossedUpdates)  absent removals: \(c.removalsOfAbsentLevels)")
        if !books.unknownTypes.isEmpty {
            print("unknown types (\(c.unknownMessages) messages): \(books.unknownTypes.joined(separator: ", "))")
        }
        print("seconds: \(MarketDataReplay.fixed(seconds, places: 6))  messages/s: \(Int(rate))  MB/s: \(MarketDataReplay.fixed(seconds > 0 ? mb / seconds : 0, places: 1))  input MB: \(MarketDataReplay.fixed(mb, places: 2))  peak RSS MB: \(MarketDataReplay.fixed(peakRSSMegabytes(), places: 1))")
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Peak resident set size of this process (Linux reports `ru_maxrss` in KiB).
func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) * 1024 / 1_000_000
}
