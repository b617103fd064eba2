import CastorCore
import CastorFeeds
import GeminiProtocol
import Testing
@testable import CastorTrading

/// Random interleavings (seeded) of REST replies, order events, duplicates and lost
/// messages for many orders, driven by the manager's own actions. Invariants: every fill
/// counted exactly once, positions exact, no intent with two live orders, and no resend
/// that did not follow a "not found" lookup.
@Suite struct PropertyTests {
    final class Exchange {
        var rng: SeededRandom
        var nextOrderID = 1_000
        var nextTradeID: Int64 = 1
        /// Per order: ordered event stream (consumed front first).
        var streams: [[OrderReport]] = []
        /// Pending REST answers: (client id, closure on the manager).
        var rest: [(inout OrderManager, Int64) -> [OrderAction]] = []
        var ordersByCID: [ClientOrderID: [VenueOrderID]] = [:]
        var statuses: [VenueOrderID: OrderSnapshot] = [:]
        var allTrades: [TradeReport] = []
        var tradesByOrder: [VenueOrderID: [[String: Any]]] = [:]
        var landsOnFirstSend: [ClientOrderID: Bool] = [:]
        var raceNotFound: [ClientOrderID: Bool] = [:]
        var notFoundAnswers: [ClientOrderID: Int] = [:]

        init(seed: UInt64) { rng = SeededRandom(seed: seed) }

        func chance(_ p: Double) -> Bool { Double(rng.next() % 10_000) / 10_000 < p }

        /// Creates a real exchange order for `cid`, with fills, and queues its events.
        func createOrder(_ cid: ClientOrderID) -> OrderSnapshot {
            nextOrderID += 1
            let oid = VenueOrderID(Int64(nextOrderID))
            ordersByCID[cid, default: []].append(oid)
            var events: [OrderReport] = [event("accepted", orderID: oid, cid: cid.rawValue, original: "10")]
            var executed = ExactDecimal.zero
            var trades: [[String: Any]] = []
            for k in 0..<Int(rng.next() % 4) {
                let amount = ExactDecimal(mantissa: Int128(1 + rng.next() % 99), scale: 3)
                executed += amount
                let tid = nextTradeID
                nextTradeID += 1
                let json = tradeJSON(tid: tid, orderID: oid, cid: cid.rawValue, amount: amount.description, fee: "0.001", ms: 1_000 + tid)
                trades.append(json)
                allTrades.append(trade(tid: tid, orderID: oid, cid: cid.rawValue, amount: amount.description, fee: "0.001", ms: 1_000 + tid))
                let e = event("fill", orderID: oid, cid: cid.rawValue, original: "10", executed: executed.description,
                              fill: (String(tid), amount.description, "100.00", "0.001"), sequence: Int64(k))
                if !chance(0.2) { events.append(e) }            // lost message
                if chance(0.3) { events.append(e) }             // duplicate delivery
                if k == 0 && chance(0.5) { events.append(event("booked", orderID: oid, cid: cid.rawValue, original: "10", executed: executed.description)) }
            }
            let closing = chance(0.5)
            if closing {
                events.append(event("cancelled", orderID: oid, cid: cid.rawValue, original: "10", executed: executed.description, live: false, cancelled: true))
                events.append(event("closed", orderID: oid, cid: cid.rawValue, original: "10", executed: executed.description, live: false, cancelled: true))
            }
            if chance(0.3), events.count > 2 { events.swapAt(1, events.count - 1) }  // out of order
            streams.append(events)
            tradesByOrder[oid] = trades
            let st = status(oid, cid: cid.rawValue, original: "10", executed: executed.description, live: !closing,
                            cancelled: closing, trades: trades)
            statuses[oid] = st
            return st
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomInterleavings(seed: UInt64) {
        let x = Exchange(seed: seed)
        var m = makeManager(seed: seed)
        var now: Int64 = 0
        var resends: [ClientOrderID: Int] = [:]
        var duplicateCancels = Set<VenueOrderID>()

        func react(_ actions: [OrderAction]) {
            for a in actions {
                switch a {
                case .lookup(let cid, _):
                    x.rest.append { m, now in
                        let existing = x.ordersByCID[cid] ?? []
                        if let first = existing.first, !(x.raceNotFound[cid] ?? false) {
                            return m.lookupResult(cid, .found(x.statuses[first]!), now: now)
                        }
                        x.raceNotFound[cid] = false
                        x.notFoundAnswers[cid, default: 0] += 1
                        return m.lookupResult(cid, .notFound, now: now)
                    }
                case .resend(let r, _):
                    resends[r.clientOrderID, default: 0] += 1
                    let st = x.createOrder(r.clientOrderID)
                    x.rest.append { m, now in m.newOrderAccepted(r.clientOrderID, status: st, now: now) }
                case .queryOrder(let oid, _):
                    x.rest.append { m, now in m.queryResult(orderID: oid, .found(x.statuses[oid]!), now: now) }
                case .cancelDuplicate(let oid):
                    duplicateCancels.insert(oid)
                default: break
                }
            }
        }
        // The driver mutates `m` through these closures.
        func run(_ f: (inout OrderManager) -> [OrderAction]) { react(f(&m)) }

        for _ in 0..<25 {
            let (id, a) = m.submit(intent(amount: "10"), now: now)
            let cid = id!
            #expect(a.sends.count == 1)
            let lands = x.chance(0.8), timeout = x.chance(0.5)
            x.landsOnFirstSend[cid] = lands
            if lands {
                let st = x.createOrder(cid)
                if timeout {
                    x.raceNotFound[cid] = x.chance(0.3)   // the lookup overtakes the order
                    x.rest.append { m, now in m.newOrderFailed(cid, failure: .timeout, now: now) }
                } else {
                    x.rest.append { m, now in m.newOrderAccepted(cid, status: st, now: now) }
                }
            } else {
                x.rest.append { m, now in m.newOrderFailed(cid, failure: .network("reset"), now: now) }
            }
        }
        // Interleave REST answers and event streams at random.
        var guardCount = 0
        while guardCount < 100_000 {
            guardCount += 1
            now += 7
            let liveStreams = x.streams.indices.filter { !x.streams[$0].isEmpty }
            if x.rest.isEmpty && liveStreams.isEmpty { break }
            if !x.rest.isEmpty && (liveStreams.isEmpty || x.chance(0.4)) {
                let i = Int(x.rng.next() % UInt64(x.rest.count))
                let step = x.rest.remove(at: i)
                let t = now
                run { m in step(&m, t) }
            } else {
                let s = liveStreams[Int(x.rng.next() % UInt64(liveStreams.count))]
                let e = x.streams[s].removeFirst()
                let t = now
                run { m in m.handle(event: e, now: t) }
            }
        }
        _ = guardCount
        // Final reconciliation with everything /v1/mytrades would return (plus repeats).
        let plan = Reconciler.plan(ReconciliationInput(local: m.localOrders, exchangeOpen: [],
            myTrades: ["BTCUSD": x.allTrades + x.allTrades.prefix(5)], statusByOrderID: x.statuses, ourPrefix: "cx"), ledger: m.ledger)
        react(m.apply(plan, now: now + 1))

        #expect(!x.allTrades.isEmpty)
        // Fills exactly once, positions exact.
        #expect(m.ledger.fills.count == x.allTrades.count)
        let total = x.allTrades.reduce(ExactDecimal.zero) { $0 + $1.amount }
        #expect(m.ledger.position("BTCUSD").base == total)
        #expect(m.ledger.position("BTCUSD").quoteCash == -(total * d("100.00")) - ExactDecimal(mantissa: Int128(x.allTrades.count), scale: 3))
        // No intent with two live orders: every extra exchange order is a cancelled duplicate.
        for (cid, oids) in x.ordersByCID {
            let primary = m.order(cid)?.lifecycle.orderID
            for oid in oids where oid != primary {
                #expect(m.duplicates[oid] == cid, "\(cid): order \(oid) untracked (primary \(primary.map(String.init(describing:)) ?? "-"))")
                #expect(duplicateCancels.contains(oid))
            }
            // Resends only after a "not found".
            #expect((resends[cid] ?? 0) <= (x.notFoundAnswers[cid] ?? 0))
        }
    }
}
