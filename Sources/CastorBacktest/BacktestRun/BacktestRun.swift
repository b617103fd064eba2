import CastorConfig
import CastorCore
import CastorEngine
import CastorFeeds
import CastorTrading
import Dispatch
import Foundation
import GeminiProtocol
import Logging
import MarketData
import Synchronization
import struct GeminiProtocol.APICredentials

/// One backtest: Castor's own `Engine` (strategy runner, risk checks, order manager,
/// reconciliation, fill ledger, journal) on a `ManualClock`, fed the recording as its
/// market data (`BacktestMarketData`), trading on `BacktestVenue`'s fill model.
///
/// The drive: the engine starts on virtual time before the first frame (its start-up
/// calls are answered after the venue's latency like any other); then each frame moves the
/// clock to its time — every timer due by then (the engine's, the strategy's, the venue's
/// latencies) runs first, each on the engine queue — and is applied on the engine queue;
/// frames between two timers are applied in one turn on the queue (so the cost per frame
/// is the engine's, not a queue hop's). At the end the engine shuts down as on SIGTERM:
/// the strategy stops, open orders are cancelled (after the latency), the final fill
/// catch-up runs, the journal closes.
///
/// Deterministic: nothing is posted to the engine queue but through timers (the venue and
/// the feeds answer by timers on the manual clock, never `async`), so every timer runs on an
/// idle queue and a run is a function of its input and options. Blocking: call `run()` off
/// the Swift concurrency pool (a command's main thread, a test's `offPool`).
public final class BacktestRun {
    public let inputs: [(path: String, bytes: UnsafeRawBufferPointer)]
    public let options: BacktestOptions
    public let logger: Logger

    /// - Parameter inputs: the recordings in order (each must stay mapped during `run()`),
    ///   read as one stream.
    public init(inputs: [(path: String, bytes: UnsafeRawBufferPointer)], options: BacktestOptions, logger: Logger) {
        self.inputs = inputs
        self.options = options
        self.logger = logger
    }

    /// The run's counts of its input.
    struct Tally {
        var lines = 0, skipped = 0, messages = 0, malformed = 0, notReceived = 0, notLive = 0
        var firstMalformed: (path: String, line: Int, error: String)?
        var firstMs: Int64?, lastMs: Int64?
    }

    public func run() throws(BacktestError) -> BacktestReport {
        let wallStart = DispatchTime.now().uptimeNanoseconds
        let symbols = try chooseSymbols()
        let firstMs = inputs.lazy.compactMap { RecordingReader($0.bytes, startMs: 0).firstTimeMs() }.first
            ?? BacktestOptions.defaultStartMs
        let clock = ManualClock(startMs: firstMs - 10_000)
        let queue = DispatchQueue(label: "castor.engine.backtest")
        let venue = BacktestVenue(settings: options.venue, queue: queue, clock: clock.engineClock)
        let marketData = Mutex<BacktestMarketData?>(nil)
        // The journal is the run's own and thrown away: on tmpfs where there is one, so its
        // synced writes (every intent, counter reservation and fill) cost no disk flush.
        let scratch = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : FileManager.default.temporaryDirectory.path
        let stateDirectory = scratch + "/castor-backtest-\(getpid())-\(UInt64.random(in: 0 ... .max))"
        try? FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: stateDirectory) }

        var c = options.configuration
        c.venue = .custom(restURL: "http://127.0.0.1:9", websocketURL: "ws://127.0.0.1:9")
        c.engine.stateDirectory = stateDirectory
        c.engine.symbols = symbols
        let feeds = EngineFeedFactory(
            makeExecution: { _ in venue },
            makeMarketData: { context in
                let feed = BacktestMarketData(context: context, venue: venue)
                marketData.withLock { $0 = feed }
                return feed
            },
            makeOrderEvents: { BacktestOrderEvents(context: $0, venue: venue) })
        let engine: Engine
        do {
            let endpoints = try EngineEndpoints(restBaseURL: "http://127.0.0.1:9", webSocketBaseURL: "ws://127.0.0.1:9")
            let credentials = try APICredentials(key: "account-backtest", secret: "backtest-not-a-secret")
            engine = queue.sync {
                Engine(configuration: c, credentials: credentials, endpoints: endpoints, logger: logger, queue: queue,
                       clock: clock.engineClock, feeds: feeds, strategies: options.strategies)
            }
        } catch {
            throw .engineStartFailed("\(error)")
        }

        // Start-up, on virtual time.
        let started = Mutex<Result<Void, EngineError>?>(nil)
        queue.sync { engine.start { r in started.withLock { $0 = r } } }
        runTimers(clock, until: clock.nowMs + options.startupBudgetMs) { started.withLock { $0 } != nil }
        switch started.withLock({ $0 }) {
        case .success?: break
        case .failure(let e)?: throw .engineStartFailed("\(e)")
        case nil: throw .engineStartFailed("start-up did not finish within \(options.startupBudgetMs) ms of virtual time")
        }
        guard let feed = marketData.withLock({ $0 }) else { throw .engineStartFailed("no market data feed was made") }

        // The recording.
        var tally = Tally()
        var curve = EquityCurve()
        let firstTraded = Mutex<Symbol?>(nil)
        let sampleNow: () -> Void = {
            let books = feed.books
            let traded = firstTraded.withLock { $0 }
            let equity = EquityCurve.equity(venue.pnl) { Self.mid(books, $0) }
            curve.add(EquityCurve.Sample(timeMs: clock.nowMs, equity: equity, mid: traded.flatMap { Self.mid(books, $0) },
                                         position: traded.flatMap { venue.pnl[$0]?.position } ?? .zero))
        }
        let fillBox = UncheckedSendableBox(sampleNow)
        venue.onFill = { trade in
            firstTraded.withLock { if $0 == nil { $0 = trade.symbol } }
            fillBox.value()
        }
        var nextSampleMs = firstMs
        var startMs = firstMs - options.stepMs
        let totalBytes = inputs.reduce(0) { $0 + $1.bytes.count }
        var bytesBefore = 0
        var sinceProgress = 0
        let progress = options.progress, progressEvery = max(1, options.progressEvery)
        for input in inputs {
            var reader = RecordingReader(input.bytes, startMs: startMs, stepMs: options.stepMs)
            var pending = reader.next()
            while let frame = pending {
                while let next = clock.nextTimerMs, next <= frame.timeMs { clock.advance(toMs: next) }
                queue.sync {
                    while let f = pending {
                        if let next = clock.nextTimerMs, next <= f.timeMs { break }
                        if f.timeMs > clock.nowMs { clock.advance(toMs: f.timeMs) }
                        if f.timeMs >= nextSampleMs {
                            sampleNow()
                            nextSampleMs = f.timeMs - f.timeMs % options.sampleEveryMs + options.sampleEveryMs
                        }
                        switch feed.receive(f.bytes) {
                        case .applied: tally.messages += 1
                        case .notReceived: tally.notReceived += 1
                        case .notLive: tally.notLive += 1
                        case .malformed(let error):
                            tally.malformed += 1
                            if tally.firstMalformed == nil {
                                tally.firstMalformed = (input.path, f.line, error)
                                logger.warning("malformed line skipped", metadata: [
                                    "event": "backtest.malformed_line", "reason": "decode_error", "file": "\(input.path)",
                                    "line": "\(f.line)", "detail": "\(error)"])
                            }
                        }
                        if tally.firstMs == nil { tally.firstMs = f.timeMs }
                        tally.lastMs = f.timeMs
                        if let progress {
                            sinceProgress += 1
                            if sinceProgress >= progressEvery, let at = f.bytes.baseAddress, let base = input.bytes.baseAddress {
                                sinceProgress = 0
                                progress(bytesBefore + (at - base), totalBytes, tally.messages)
                            }
                        }
                        pending = reader.next()
                    }
                }
            }
            bytesBefore += input.bytes.count
            tally.lines += reader.lines
            tally.skipped += reader.skipped
            startMs = reader.nowMs
        }
        let endMs = clock.nowMs
        let marks: [Symbol: ExactDecimal] = queue.sync {
            sampleNow()
            var m: [Symbol: ExactDecimal] = [:]
            for s in feed.books.symbols { m[s] = Self.mid(feed.books, s) }
            return m
        }

        // The end: a shutdown as on SIGTERM, cancelling what is open.
        let stopped = Mutex<Result<Void, EngineError>?>(nil)
        queue.sync {
            engine.shutdown(cancelOpenOrders: true, deadlineMs: clock.nowMs + options.shutdownBudgetMs) { r in
                stopped.withLock { $0 = r }
            }
        }
        runTimers(clock, until: clock.nowMs + options.shutdownBudgetMs + 1) { stopped.withLock { $0 } != nil }
        let stopResult = stopped.withLock { $0 }
        let wallNs = DispatchTime.now().uptimeNanoseconds - wallStart
        let (pnl, ordersSent, strategy, engineFills): ([Symbol: SymbolPnL], [Symbol: Int], String, Int) = queue.sync {
            (engine.sessionPnL.symbols, engine.sessionOrdersSent, engine.strategyName ?? c.strategy.selection.name,
             engine.sessionPnL.symbols.values.reduce(0) { $0 + $1.fillCount })
        }
        var stopError: String?
        switch stopResult {
        case .success?: break
        case .failure(let e)?: stopError = "\(e)"
        case nil: stopError = "the shutdown did not finish within \(options.shutdownBudgetMs) ms of virtual time"
        }
        logger.notice("backtest finished", metadata: [
            "event": "backtest.finished", "messages": "\(tally.messages)", "malformed": "\(tally.malformed)",
            "skipped": "\(tally.skipped)", "orders": "\(counts(ordersSent))", "fills": "\(engineFills)",
            "virtual_ms": "\((tally.lastMs ?? endMs) - (tally.firstMs ?? endMs))"])
        let finalCurve = curve
        return queue.sync {
            BacktestReport(strategy: strategy, tally: tally, wallSeconds: Double(wallNs) / 1e9, pnl: pnl,
                           ordersSent: ordersSent, marks: marks, venue: venue, curve: finalCurve, engineFills: engineFills,
                           stopError: stopError, settings: options.venue)
        }
    }

    private func counts(_ orders: [Symbol: Int]) -> Int { orders.values.reduce(0, +) }

    /// Runs timers in time order until `done` or no timer is due by `limit`.
    private func runTimers(_ clock: ManualClock, until limit: Int64, _ done: () -> Bool) {
        while !done() {
            guard let next = clock.nextTimerMs, next <= limit else { return }
            clock.advance(toMs: next)
        }
    }

    static func mid(_ books: MarketBooks, _ symbol: Symbol) -> ExactDecimal? {
        guard let i = books.index(of: symbol), let book = books.book(i),
              let bid = book.bestBid?.price, let ask = book.bestAsk?.price else { return nil }
        return bid.addingReportingOverflow(ask)?.multipliedReportingOverflow(by: ExactDecimal(mantissa: 5, scale: 1))
    }

    /// The symbols to trade: given, configured, or named by the first 10,000 lines.
    private func chooseSymbols() throws(BacktestError) -> [String] {
        if let s = options.symbols, !s.isEmpty { return s.map { $0.uppercased() } }
        if options.symbolsFromConfiguration, !options.configuration.engine.symbols.isEmpty {
            return options.configuration.engine.symbols
        }
        var decoder = MarketDataV2Decoder()
        var sink = SymbolSink()
        // The new API's frames (depth and trades name their symbol in `s`), decoded by its own
        // decoder registering each new symbol: no general JSON parser on the first 10,000.
        var webSocketDecoder = WSAPIMarketDecoder(symbols: [], registersNewSymbols: true)
        var webSocketSink = SymbolSink()
        var read = 0
        for input in inputs {
            var reader = RecordingReader(input.bytes, startMs: 0)
            while read < 10_000, let frame = reader.next() {
                read += 1
                do throws(MarketDataV2DecodingError) {
                    _ = try decoder.decode(frame.bytes, into: &sink)
                } catch {
                    guard case .missingField(.type, _) = error else { continue }
                    _ = try? webSocketDecoder.decode(frame.bytes, into: &webSocketSink)
                }
            }
        }
        var names = decoder.symbols.all.map(\.1).map { $0.uppercased() }
        for (_, name) in webSocketDecoder.symbols.all where !names.contains(name.uppercased()) { names.append(name.uppercased()) }
        guard !names.isEmpty else { throw .noSymbols }
        return names
    }
}

/// Decodes without applying (symbol discovery).
private struct SymbolSink: MarketDataV2Handler, WSAPIMarketHandler {
    mutating func depthUpdate(_ update: WSAPIDepthUpdate, levels: UnsafeBufferPointer<L2Change>) {}
    mutating func trade(_ trade: MarketDataV2Trade) {}
    mutating func reply(_ reply: WSAPIReply) {}
}

/// A value moved into a `@Sendable` closure that runs on the queue the value belongs to.
final class UncheckedSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
