import CastorTestSupport
import CastorCore
import Testing
@testable import GeminiSim

@Suite(.tags(.slow)) struct SimMarketTests {
    private func run(seed: UInt64, steps: Int) -> (SimEngine, SimMarket, [SimOrderEvent], [SimMarketEvent]) {
        let clock = TestClock()
        let engine = SimEngine(firstId: 1000) { clock.ms }
        let market = SimMarket(engine: engine, seed: seed)
        market.step(now: clock.ms)
        for _ in 0..<steps {
            clock.advance(250)
            market.step(now: clock.ms)
        }
        return (engine, market, engine.drainOrderEvents(), engine.drainMarketEvents())
    }

    @Test func sameSeedSameMarket() {
        let a = run(seed: 7, steps: 200)
        let b = run(seed: 7, steps: 200)
        #expect(a.2 == b.2)
        #expect(a.3 == b.3)
        let c = run(seed: 8, steps: 200)
        #expect(a.3 != c.3)
    }

    @Test func keepsARealisticTwoSidedBook() {
        let (engine, market, _, marketEvents) = run(seed: 42, steps: 400)
        for symbol in ["BTCUSD", "ETHUSD", "ETHBTC", "SOLUSD"] {
            let book = engine.book(symbol: symbol)!
            #expect(book.bids.count >= 20 && book.asks.count >= 20, "\(symbol)")
            let step = engine.symbol(symbol)!.quoteIncrement
            let spread = book.asks[0].price - book.bids[0].price
            // Proportional to price: at most about half a basis point (plus a step) wide.
            let mid0 = market.midPrice(symbol)!
            #expect(spread.isPositive && spread <= mid0 * dec("0.00005") + step * 2, "\(symbol) spread \(spread)")
            #expect(zip(book.bids, book.bids.dropFirst()).allSatisfy { $0.price > $1.price })
            #expect(zip(book.asks, book.asks.dropFirst()).allSatisfy { $0.price < $1.price })
            let mid = market.midPrice(symbol)!
            #expect(book.bids[0].price < mid && mid < book.asks[0].price)
        }
        let trades = marketEvents.filter { if case .trade = $0 { true } else { false } }
        #expect(trades.count > 100)
        #expect(market.midPrice("BTCUSD")! != dec("65000"))
    }

    @Test func strategyQuotesAtTopOfBookGetFilled() throws {
        let clock = TestClock()
        let engine = SimEngine(firstId: 1000) { clock.ms }
        let market = SimMarket(engine: engine, seed: 99)
        market.step(now: clock.ms)
        let me = engine.createAccount(name: "strategy", balances: ["USD": dec("1000000"), "BTC": dec("10")])
        var fills = 0
        for _ in 0..<200 {
            let (bid, ask) = engine.topOfBook(symbol: "BTCUSD")
            engine.cancelAll(account: me)
            _ = try? engine.placeOrder(.init(symbol: "BTCUSD", side: .buy, amount: dec("0.001"), price: bid!,
                                             options: ["maker-or-cancel"]), account: me, session: "s")
            _ = try? engine.placeOrder(.init(symbol: "BTCUSD", side: .sell, amount: dec("0.001"), price: ask!,
                                             options: ["maker-or-cancel"]), account: me, session: "s")
            clock.advance(250)
            market.step(now: clock.ms)
            fills = engine.myTrades(account: me, limit: 500).count
        }
        #expect(fills > 10)
        #expect(engine.myTrades(account: me, limit: 500).allSatisfy { !$0.aggressor })
    }

    /// BTCUSD moves a few dollars a second and sweeps now and then, so quotes a basis
    /// point from mid (the default market maker's) are reached within ~30 s.
    @Test func btcMovesInProportionToPriceAndReachesQuotesABasisPointAway() throws {
        let clock = TestClock()
        let engine = SimEngine(firstId: 1000) { clock.ms }
        let market = SimMarket(engine: engine, seed: 42)
        market.step(now: clock.ms)
        let start = market.midPrice("BTCUSD")!
        let me = engine.createAccount(name: "strategy", balances: ["USD": dec("1000000"), "BTC": dec("10")])
        _ = try engine.placeOrder(.init(symbol: "BTCUSD", side: .buy, amount: dec("0.001"), price: start - dec("6.5"),
                                        options: ["maker-or-cancel"]), account: me, session: "s")
        _ = try engine.placeOrder(.init(symbol: "BTCUSD", side: .sell, amount: dec("0.001"), price: start + dec("6.5"),
                                        options: ["maker-or-cancel"]), account: me, session: "s")
        var moves: [ExactDecimal] = []
        var previous = start
        var firstFillStep: Int?
        for i in 1...120 {  // 30 s
            clock.advance(250)
            market.step(now: clock.ms)
            let mid = market.midPrice("BTCUSD")!
            moves.append(mid > previous ? mid - previous : previous - mid)
            previous = mid
            if firstFillStep == nil, !engine.myTrades(account: me, limit: 10).isEmpty { firstFillStep = i }
        }
        // Steps of up to ~2 USD (0.3 bp of 65000), not cents.
        #expect(moves.max()! > dec("1") && moves.max()! <= dec("2"))
        #expect(try #require(firstFillStep) <= 120)
    }

    @Test func stepCatchesUpByIntervalWithACap() {
        let clock = TestClock()
        let engine = SimEngine(firstId: 1000) { clock.ms }
        let market = SimMarket(engine: engine, seed: 1, stepIntervalMs: 100, maxCatchUpSteps: 5)
        market.step(now: 0)
        #expect(market.stepCount == 1)
        market.step(now: 350)
        #expect(market.stepCount == 4)
        market.step(now: 399)
        #expect(market.stepCount == 4)
        market.step(now: 10_000)
        #expect(market.stepCount == 9)
        market.step(now: 10_100)
        #expect(market.stepCount == 10)
    }

    @Test func splitMixIsSeededAndInRange() {
        var a = SimRandom(seed: 123), b = SimRandom(seed: 123)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        var r = SimRandom(seed: 5)
        let xs = (0..<10_000).map { _ in r.int(in: -3...3) }
        #expect(xs.allSatisfy { (-3...3).contains($0) } && Set(xs).count == 7)
        // Reference value of SplitMix64 seeded with 0.
        var z = SimRandom(seed: 0)
        #expect(z.next() == 0xE220_A839_7B1D_CDAF)
    }
}
