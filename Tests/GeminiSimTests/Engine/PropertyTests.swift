import CastorTestSupport
import CastorCore
import Testing
@testable import GeminiSim

/// Seeded random order/cancel streams from several accounts plus the synthetic market,
/// checking the engine's invariants after every operation.
@Suite(.tags(.slow)) struct PropertyTests {
    struct LevelKey: Hashable { let symbol: String; let side: Side; let price: ExactDecimal }

    final class Harness {
        let clock = TestClock()
        let engine: SimEngine
        let market: SimMarket
        var users: [Int64] = []
        var rng: SimRandom
        var initialTotals: [String: ExactDecimal] = [:]
        var fees: [String: ExactDecimal] = [:]
        var published: [LevelKey: ExactDecimal] = [:]
        var allOrderEvents: [SimOrderEvent] = []
        var publicTrades: [Int64: SimPublicTrade] = [:]
        /// Event id of each order's `booked` event: its time priority within a price level.
        var bookedAt: [Int64: Int64] = [:]
        let symbols = ["BTCUSD", "ETHUSD", "ETHBTC", "SOLUSD"]

        init(seed: UInt64) {
            let clock = self.clock
            engine = SimEngine(firstId: 5000) { clock.ms }
            market = SimMarket(engine: engine, seed: seed)
            rng = SimRandom(seed: seed &* 31 &+ 7)
            for i in 0..<3 {
                // Modest balances so InsufficientFunds happens too.
                let id = engine.createAccount(name: "user\(i)", balances: ["USD": dec("200000"), "BTC": dec("3"),
                                                                           "ETH": dec("40"), "SOL": dec("800")],
                                              makerFeeBps: 10 + i * 5, takerFeeBps: 35 - i * 10)
                engine.addAPISession("key\(i)", account: id)
                engine.addAPISession("key\(i)b", account: id)
                users.append(id)
            }
            for a in engine.allAccounts { for b in a.balances.values { initialTotals[b.currency, default: .zero] += b.total } }
            market.step(now: clock.ms)
            absorb()
        }

        /// Drains both outboxes into the run's accumulators.
        func absorb() {
            for event in engine.drainOrderEvents() {
                allOrderEvents.append(event)
                if event.type == .booked { bookedAt[event.order.orderId] = event.eventId }
                if let fill = event.fill { fees[fill.feeCurrency, default: .zero] += fill.fee }
            }
            for event in engine.drainMarketEvents() {
                switch event {
                case .level(let c):
                    let key = LevelKey(symbol: c.symbol, side: c.side, price: c.price)
                    published[key] = c.quantity.isZero ? nil : c.quantity
                case .trade(let t):
                    #expect(publicTrades[t.tid] == nil, "duplicate public trade \(t.tid)")
                    publicTrades[t.tid] = t
                }
            }
        }

        func randomRequest() -> SimOrderRequest {
            let symbol = symbols[rng.int(in: 0...3)]
            let sym = engine.symbol(symbol)!
            let mid = market.midPrice(symbol)!
            let side: Side = rng.chance(percent: 50) ? .buy : .sell
            let price = mid + sym.quoteIncrement * ExactDecimal(rng.int(in: -8...8))
            let lot = sym.minOrderSize * ExactDecimal(10)
            let amount = lot * ExactDecimal(rng.int(in: 1...40))
            var options: [String] = []
            switch rng.int(in: 0...9) {
            case 0: options = ["maker-or-cancel"]
            case 1: options = ["immediate-or-cancel"]
            case 2: options = ["fill-or-kill"]
            default: break
            }
            var request = SimOrderRequest(symbol: symbol, side: side, amount: amount, price: price, options: options,
                                          clientOrderId: "o\(rng.int(in: 0...999))")
            if rng.chance(percent: 8) {
                // Stop-limit a few steps away on the far side of the mid.
                let offset = sym.quoteIncrement * ExactDecimal(rng.int(in: 1...6))
                let stop = side == .buy ? mid + offset : mid - offset
                request = SimOrderRequest(symbol: symbol, side: side, amount: amount,
                                          price: side == .buy ? stop + offset : stop - offset, stopPrice: stop)
            }
            if rng.chance(percent: 4) { request.price = "0" }
            return request
        }

        /// One random operation, with the price-time check for placements.
        func operate() {
            clock.advance(Int64(rng.int(in: 1...300)))
            let user = users[rng.int(in: 0...2)]
            let session = "key\(user - users[0])" + (rng.chance(percent: 30) ? "b" : "")
            switch rng.int(in: 0...19) {
            case 0...3:
                market.step(now: clock.ms)
            case 4...14:
                let request = randomRequest()
                let side = Side(rawValue: request.side)!
                absorb()
                // Expected priority, derived independently of the book's own ordering: best
                // price first, then the order that was booked first.
                let priority = engine.restingOrders(symbol: request.symbol, side: side.opposite)
                    .sorted { a, b in
                        a.price != b.price ? (side == .buy ? a.price < b.price : a.price > b.price)
                                           : bookedAt[a.orderId]! < bookedAt[b.orderId]!
                    }
                    .map(\.orderId)
                let placed = try? engine.placeOrder(request, account: user, session: session)
                let events = engine.drainOrderEvents()
                engine.orderEvents = events   // put back for absorb()
                if let placed { checkPriority(placed, events: events, priority: priority) }
            case 15...17:
                let live = engine.activeOrders(account: user)
                if !live.isEmpty {
                    let victim = live[rng.int(in: 0...(live.count - 1))]
                    let c = try? engine.cancelOrder(orderId: victim.orderId, account: user)
                    #expect(c?.isCancelled == true)
                }
            case 18:
                _ = engine.cancelSession(account: user, session: session)
            default:
                _ = engine.cancelAll(account: user)
            }
            absorb()
            checkState()
        }

        /// The incoming order's fills hit resting orders in exactly the book's priority
        /// order (best price first, then oldest), each fully before the next.
        func checkPriority(_ placed: SimOrderSnapshot, events: [SimOrderEvent], priority: [Int64]) {
            let takerFills = events.filter { $0.type == .fill && $0.order.orderId == placed.orderId }
            let byTid = Dictionary(grouping: events.filter { $0.type == .fill }, by: { $0.fill!.tradeId })
            let makers = takerFills.map { fill in byTid[fill.fill!.tradeId]!.first { $0.order.orderId != placed.orderId }! }
            #expect(makers.map(\.order.orderId) == Array(priority.prefix(makers.count)))
            for maker in makers.dropLast() { #expect(maker.order.remainingAmount.isZero) }
            for fill in takerFills {
                #expect(placed.side == .buy ? fill.fill!.price <= placed.price : fill.fill!.price >= placed.price)
            }
        }

        func checkState() {
            for account in engine.allAccounts {
                var need: [String: ExactDecimal] = [:]
                for order in engine.activeOrders(account: account.id) {
                    let sym = engine.symbol(order.symbol)!
                    need[order.side == .buy ? sym.quote : sym.base, default: .zero] +=
                        SimOrderRecord.hold(side: order.side, price: order.price, quantity: order.remainingAmount,
                                            feeBps: max(account.makerFeeBps, account.takerFeeBps))
                }
                for balance in engine.balances(account: account.id) {
                    #expect(!balance.total.isNegative && !balance.held.isNegative && !balance.available.isNegative,
                            "\(account.name) \(balance.currency)")
                    #expect(balance.held == need[balance.currency] ?? .zero, "\(account.name) \(balance.currency) held")
                }
            }
            var resting: [LevelKey: ExactDecimal] = [:]
            for symbol in symbols {
                let book = engine.book(symbol: symbol)!
                for l in book.bids { resting[LevelKey(symbol: symbol, side: .buy, price: l.price)] = l.amount }
                for l in book.asks { resting[LevelKey(symbol: symbol, side: .sell, price: l.price)] = l.amount }
                if let bid = book.bids.first, let ask = book.asks.first { #expect(bid.price < ask.price, "\(symbol) crossed") }
            }
            #expect(resting == published)
        }

        /// Checks over the whole run: fill pairing, public trades, conservation, lifecycles.
        func checkRun() {
            let fills = allOrderEvents.filter { $0.type == .fill }
            let byTid = Dictionary(grouping: fills, by: { $0.fill!.tradeId })
            #expect(byTid.count == publicTrades.count)
            for (tid, pair) in byTid {
                #expect(pair.count == 2, "trade \(tid)")
                guard pair.count == 2 else { continue }
                let (a, b) = (pair[0], pair[1])
                #expect(Set([a.order.side, b.order.side]) == [.buy, .sell])
                #expect(Set([a.fill!.liquidity, b.fill!.liquidity]) == [.maker, .taker])
                #expect(a.fill!.price == b.fill!.price && a.fill!.amount == b.fill!.amount)
                #expect(a.accountId != b.accountId)
                let taker = a.fill!.liquidity == .taker ? a : b
                let print = publicTrades[tid]
                #expect(print?.price == a.fill!.price && print?.quantity == a.fill!.amount && print?.takerSide == taker.order.side)
            }
            var totals: [String: ExactDecimal] = fees
            for a in engine.allAccounts { for b in a.balances.values { totals[b.currency, default: .zero] += b.total } }
            for (currency, initial) in initialTotals { #expect(totals[currency] == initial, "\(currency) conserved") }
            var lifecycle: [Int64: [SimOrderEventType]] = [:]
            for e in allOrderEvents { lifecycle[e.order.orderId, default: []].append(e.type) }
            for (id, types) in lifecycle {
                if types.first == .rejected { #expect(types == [.rejected], "order \(id)"); continue }
                if let closed = types.firstIndex(of: .closed) { #expect(closed == types.count - 1, "order \(id): \(types)") }
                #expect(types.filter { $0 == .cancelled }.count <= 1)
                if types.first != .accepted {
                    // Orders accepted before the run's first absorb do not exist: every order starts here.
                    Issue.record("order \(id) starts with \(types.first!)")
                }
            }
            // Ledgers agree with the fill events for the user accounts.
            for user in users {
                let ledgerTids = engine.ledger(account: user).trades.map(\.tid)
                let eventTids = fills.filter { $0.accountId == user }.map { $0.fill!.tradeId }
                #expect(ledgerTids == eventTids)
            }
        }
    }

    // These run for seconds of pure CPU each, 16 cases at once: they yield between
    // operations so they never hold a cooperative-pool thread (two on two cores) for long,
    // and the async tests beside them (simulator servers coming up, feeds) keep their turns.
    @Test(arguments: 0..<16)
    func randomStreamsKeepInvariants(seed: Int) async {
        let h = Harness(seed: UInt64(seed) &* 0x9E37_79B9 &+ 1)
        for _ in 0..<250 {
            h.operate()
            await Task.yield()
        }
        h.checkRun()
        #expect(h.publicTrades.count > 20)
    }

    @Test func sameSeedSameRun() async {
        let a = Harness(seed: 77), b = Harness(seed: 77)
        for _ in 0..<150 {
            a.operate(); b.operate()
            await Task.yield()
        }
        #expect(a.allOrderEvents == b.allOrderEvents)
        #expect(a.publicTrades == b.publicTrades)
    }
}
