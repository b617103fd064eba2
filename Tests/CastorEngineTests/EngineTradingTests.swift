import CastorConfig
import CastorCore
import CastorStrategy
import CastorEngine
import CastorTestSupport
import CastorTrading
import GeminiProtocol
import GeminiSim
import Testing

/// The engine's fills, as (trade id, amount, price) for comparison with the venue.
func engineFills(_ h: SimHarness, _ engine: Engine) -> Set<String> {
    h.on { Set(engine.fillLedger.fills.values.map { "\($0.tradeID.rawValue) \($0.amount) \($0.price)" }) }
}

func venueFills(_ h: SimHarness) async throws -> Set<String> {
    Set(try await h.ledgerTrades().map { "\($0.tid) \($0.amount) \($0.price)" })
}

@Suite(.serialized, .timeLimit(.minutes(3))) struct EngineTradingTests {
    @Test func startQuotesAndFillsMatchTheVenueLedger() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let engine = try h.makeEngine(h.configuration())
        let started = await h.start(engine)
        #expect(throws: Never.self) { try started.get() }
        #expect(h.on { engine.strategyName } == "market-maker")
        try await pollUntil("the market maker quotes both sides") { await h.simOpenOrders().count == 2 }
        let btcBefore = h.on { engine.statusReport.balances.first { $0.currency == "BTC" }?.total }
        #expect(try await h.hitOurBid())
        try await pollUntil("the engine counts the fill") { h.on { engine.fillLedger.fills.count } >= 1 }
        try await pollUntil("engine fills equal the venue's") {
            let venue = try await venueFills(h)
            return !venue.isEmpty && engineFills(h, engine) == venue
        }
        // Every intent produced at most one exchange order.
        #expect(await h.simOrdersByClientID().values.allSatisfy { $0 == 1 })
        // The balances follow the fill (read again a few seconds after it), for status and
        // for the strategy's context.
        try await pollUntil("the engine reads the balances again after the fill", seconds: 20) {
            h.on { engine.statusReport.balances.first { $0.currency == "BTC" }?.total } != btcBefore
        }
        let stopped = await h.shutdown(engine)
        #expect(throws: Never.self) { try stopped.get() }
        #expect(await h.simOpenOrders().isEmpty)
    }
}

/// Records what the engine tells a strategy, to check the symbols' form.
final class SymbolRecorder: Strategy, @unchecked Sendable {
    var parameters: CastorStrategy.StrategyParameters
    var bookSymbols: Set<String> = []
    var viewSymbols: Set<String> = []
    var openOrderSymbols: Set<String> = []
    init(_ p: CastorStrategy.StrategyParameters) { parameters = p }
    func start(context: any StrategyContext) {
        _ = context.place(symbol: "btcusd", side: .buy, price: ExactDecimal(49_000), amount: ExactDecimal("0.01")!, options: .makerOrCancel)
    }
    func stop(context: any StrategyContext) {}
    func reconfigure(parameters: CastorStrategy.StrategyParameters) throws { self.parameters = parameters }
    func onBook(symbol: String, book: BookView, context: any StrategyContext) {
        bookSymbols.insert(symbol)
        viewSymbols.insert(book.symbol)
        for o in context.openOrders(symbol: symbol) { openOrderSymbols.insert(o.symbol) }
    }
}

@Suite(.serialized) struct EngineSymbolTests {
    /// The engine speaks canonical upper-case symbols to strategies (as the config writes
    /// them), and an empty `[strategy.params]` gives the market maker working defaults.
    @Test func strategiesSeeUpperCaseSymbolsAndDefaultParameters() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        nonisolated(unsafe) var recorder: SymbolRecorder?
        let factory = ClosureStrategyFactory(name: "recorder") { p in
            let r = SymbolRecorder(p)
            recorder = r
            return r
        }
        let engine = try h.makeEngine(h.configuration(strategy: .plugin(path: "/none", name: "recorder"), params: [:]),
                                      strategies: [factory])
        let started = await h.start(engine)
        #expect(throws: Never.self) { try started.get() }
        try await pollUntil("the recorder's order is open and seen") { h.on { recorder?.openOrderSymbols.isEmpty == false } }
        h.on {
            #expect(recorder?.parameters.symbols == ["BTCUSD"])
            #expect(recorder?.bookSymbols == ["BTCUSD"])
            #expect(recorder?.viewSymbols == ["BTCUSD"])
            #expect(recorder?.openOrderSymbols == ["BTCUSD"])
        }
        _ = await h.shutdown(engine)

        // The market maker with no parameters at all quotes BTCUSD.
        let mm = try h.makeEngine(h.configuration(params: [:]))
        let mmStarted = await h.start(mm)
        #expect(throws: Never.self) { try mmStarted.get() }
        try await pollUntil("the default market maker quotes both sides") {
            await h.simOpenOrders().count == 2
        }
        _ = await h.shutdown(mm)
    }
}

/// Keeps every book view it is handed, with a rendering taken at delivery.
final class BookViewRecorder: Strategy, @unchecked Sendable {
    var kept: [(view: BookView, rendered: String)] = []
    var mismatches = 0
    init() {}
    func start(context: any StrategyContext) {}
    func stop(context: any StrategyContext) {}
    func reconfigure(parameters: CastorStrategy.StrategyParameters) throws {}
    func onBook(symbol: String, book: BookView, context: any StrategyContext) {
        // The engine refills one view's buffers per symbol: what it hands out now and what
        // `book(_:)` answers must agree, and what an earlier callback kept must not change.
        if context.book(symbol) != book { mismatches += 1 }
        kept.append((book, "\(book.bids) | \(book.asks)"))
    }
}

@Suite(.serialized, .timeLimit(.minutes(3))) struct EngineBookViewTests {
    @Test func bookViewsAreBestFirstAndKeptViewsNeverChange() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let recorder = BookViewRecorder()
        let factory = ClosureStrategyFactory(name: "book-recorder") { _ in recorder }
        let engine = try h.makeEngine(h.configuration(strategy: .plugin(path: "/none", name: "book-recorder"), params: [:]),
                                      strategies: [factory])
        let started = await h.start(engine)
        #expect(throws: Never.self) { try started.get() }
        try await pollUntil("the first book") { h.on { !recorder.kept.isEmpty } }
        // The harness's market stands still: change it twice, one level at a time.
        try await h.makeMarket(bid: 49_995, ask: 50_005)
        try await pollUntil("the second book") { h.on { Set(recorder.kept.map(\.rendered)).count >= 2 } }
        try await h.makeMarket(bid: 49_980, ask: 50_020)
        try await pollUntil("the third book") { h.on { Set(recorder.kept.map(\.rendered)).count >= 3 } }
        _ = await h.shutdown(engine)
        h.on {
            #expect(recorder.mismatches == 0)
            for (view, rendered) in recorder.kept {
                #expect("\(view.bids) | \(view.asks)" == rendered)
                #expect(view.symbol == "BTCUSD")
                #expect(!view.bids.isEmpty && !view.asks.isEmpty && view.bids.count <= 10 && view.asks.count <= 10)
                #expect(zip(view.bids, view.bids.dropFirst()).allSatisfy { $0.price > $1.price })
                #expect(zip(view.asks, view.asks.dropFirst()).allSatisfy { $0.price < $1.price })
                #expect(view.bids[0].price < view.asks[0].price)
            }
        }
    }
}
