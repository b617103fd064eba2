import CastorConfig
import CastorCore
import CastorEngine
import CastorJournal
import CastorStrategy
import CastorTestSupport
import Dispatch
import GeminiProtocol
import GeminiSim
import Logging
import Synchronization
import Testing

/// Orders that execute while the shutdown cancels them: the engine learns it from its own
/// cancel replies (executed amount, no trades). Those fills must be fetched and journaled
/// before the journal closes; a process must not exit relying on the next start (maybe days
/// later, maybe elsewhere) to find fills it knew about.
///
/// The order-events feed here connects once and then stays silent (no events, no
/// reconnects), and the strategy never touches its orders, so the cancel replies are the
/// only way the engine hears of the executions: the case is exercised every run, not by luck.
@Suite(.serialized, .timeLimit(.minutes(3)), .tags(.slow)) struct EngineShutdownFillTests {
    @Test func fillsLearnedFromCancelRepliesAreJournaledBeforeTheJournalCloses() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let engine = try await startResting(h, [(.buy, 49_995, "0.02"), (.sell, 50_005, "0.01")])
        // The counterparty takes half our bid and all our ask; nothing tells the engine.
        try await take(h, side: .sell, price: 49_995, amount: "0.01")
        try await take(h, side: .buy, price: 50_005, amount: "0.01")
        let venue = try await h.ledgerTrades()
        #expect(venue.count == 2)
        #expect(h.on { engine.fillLedger.fills.isEmpty }, "the engine heard of a fill before its shutdown")

        let stopped = await h.shutdown(engine)
        #expect(throws: Never.self) { try stopped.get() }
        #expect(await h.simOpenOrders().isEmpty)
        // Trade ids, orders, prices, amounts and fees exactly as the venue has them.
        let journaled = try Journal(stateDirectory: h.stateDirectory, scope: Engine.journalScope(for: h.configuration())).fills()
        #expect(Set(journaled.map(FillRow.init)) == Set(venue.map(FillRow.init)))
    }

    /// When the fills cannot be fetched before the deadline, the shutdown says so: a critical
    /// line per order whose executed amount is not covered by journaled fills, and a
    /// `timedOut` result (so `castor run` exits 1). The next start's reconciliation then
    /// journals them.
    @Test func aShutdownCutShortNamesTheOrdersWhoseFillsAreNotJournaled() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let log = LogRecorder()
        let engine = try await startResting(h, [(.buy, 49_995, "0.02")], logger: log.logger)
        try await take(h, side: .sell, price: 49_995, amount: "0.01")
        let trade = try #require(try await h.ledgerTrades().first)

        // The venue goes into maintenance the moment it cancels our order: the cancel was
        // already admitted, so its reply (executed 0.01) still reaches the engine, and every
        // request after it (the fill catch-up) is refused until the deadline.
        let core = h.core, ours = await h.accountID(SimHarness.key)
        let listener = await core.addListener { batch in
            guard batch.orderEvents.contains(where: { $0.accountId == ours && $0.type == .cancelled }) else { return }
            core.assumeIsolated { _ = try? $0.setFaults(FaultConfig(maintenance: true)) }
        }
        let stopped = await h.shutdown(engine, seconds: 4)
        await core.removeListener(listener)
        guard case .failure(.timedOut(let why)) = stopped else {
            Issue.record("expected a timed-out shutdown, got \(stopped)")
            return
        }
        #expect(why.contains("fills not journaled"), "\(why)")
        let critical = log.records.filter { $0.level == .critical && $0.metadata["order_id"] == trade.orderID }
        #expect(critical.count == 1, "\(log.records.filter { $0.level >= .error })")
        #expect(critical.first?.metadata["executed"].flatMap(ExactDecimal.init) == ExactDecimal("0.01"))
        #expect(critical.first?.metadata["journaled"].flatMap(ExactDecimal.init) == .zero)
        #expect(try Journal(stateDirectory: h.stateDirectory, scope: Engine.journalScope(for: h.configuration())).fills().isEmpty)

        // The next start's reconciliation journals the fill.
        let retired = await withCheckedContinuation { c in
            h.queue.async { engine.awaitSessionRetired(deadline: .now() + 10) { c.resume(returning: $0) } }
        }
        #expect(retired)
        _ = try await core.setFaults(FaultConfig())
        let next = try await startResting(h, [])
        #expect(h.on { next.fillLedger.fills.count } == 1)
        let nextStopped = await h.shutdown(next)
        #expect(throws: Never.self) { try nextStopped.get() }
        let journaled = try Journal(stateDirectory: h.stateDirectory, scope: Engine.journalScope(for: h.configuration())).fills()
        #expect(journaled.map(FillRow.init) == [FillRow(trade)])
    }

    /// An engine running `RestingOrders` (silent order-events feed), once the venue has
    /// acknowledged every order.
    private func startResting(_ h: SimHarness, _ orders: [RestingOrders.Order],
                              logger: Logger? = nil) async throws -> Engine {
        let strategy = RestingOrders(orders)
        let factory = ClosureStrategyFactory(name: RestingOrders.name) { _ in strategy }
        let engine = try h.makeEngine(h.configuration(strategy: .plugin(path: "/none", name: RestingOrders.name), params: [:]),
                                      orderEventsReconnectMs: nil, logger: logger, strategies: [factory])
        try await h.start(engine).get()
        try await pollUntil("the venue acknowledged every order") {
            h.on { strategy.acknowledged.count } == orders.count
        }
        return engine
    }

    /// The taker account trades `amount` against our resting order at `price` (immediate-or-cancel).
    private func take(_ h: SimHarness, side: Side, price: Int, amount: String) async throws {
        let taker = await h.accountID(SimHarness.takerKey)
        try await h.core.withEngine { e in
            _ = try e.placeOrder(SimOrderRequest(symbol: "BTCUSD", side: side, amount: ExactDecimal(amount)!,
                                                 price: ExactDecimal(price), options: ["immediate-or-cancel"]),
                                 account: taker, session: SimHarness.takerKey)
        }
    }
}

/// A fill as the journal and the venue's ledger both state it.
struct FillRow: Hashable, CustomStringConvertible {
    let tradeID: String, orderID: String, buy: Bool
    let price: ExactDecimal, amount: ExactDecimal, fee: ExactDecimal, feeCurrency: String

    init(_ j: JournalFill) {
        (tradeID, orderID, buy) = (j.tradeID, j.orderID, j.side == .buy)
        (price, amount, fee, feeCurrency) = (j.price, j.amount, j.fee, j.feeCurrency.uppercased())
    }

    init(_ t: MyTrade) {
        (tradeID, orderID, buy) = (String(t.tid), t.orderID, t.side == .buy)
        (price, amount, fee, feeCurrency) = (t.price, t.amount, t.feeAmount ?? .zero, (t.feeCurrency ?? "").uppercased())
    }

    var description: String { "\(tradeID) order \(orderID) \(buy ? "buy" : "sell") \(amount) @ \(price) fee \(fee) \(feeCurrency)" }
}

/// Places its orders once (maker-or-cancel, BTCUSD) and never touches them again, so only
/// the engine's shutdown cancels them.
final class RestingOrders: Strategy, @unchecked Sendable {
    typealias Order = (side: Side, price: Int, amount: String)
    static let name = "resting-orders"
    let orders: [Order]
    /// Exchange order ids of our orders the engine knows (engine queue).
    private(set) var acknowledged: [String] = []

    init(_ orders: [Order]) { self.orders = orders }

    func start(context: any StrategyContext) {
        for o in orders {
            _ = context.place(symbol: "BTCUSD", side: o.side, price: ExactDecimal(o.price), amount: ExactDecimal(o.amount)!,
                              options: .makerOrCancel)
        }
    }

    func stop(context: any StrategyContext) {}
    func reconfigure(parameters: CastorStrategy.StrategyParameters) throws {}
    func onBook(symbol: String, book: BookView, context: any StrategyContext) {
        acknowledged = context.openOrders(symbol: symbol).compactMap(\.exchangeOrderID)
    }
}

/// Keeps every log record, for assertions on what the engine said.
final class LogRecorder: Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let storage = Mutex<[Record]>([])
    var records: [Record] { storage.withLock { $0 } }
    var logger: Logger { Logger(label: "castor.engine.test") { _ in Handler(recorder: self) } }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let record = Record(level: event.level, message: "\(event.message)", metadata: all.mapValues { "\($0)" })
            recorder.storage.withLock { $0.append(record) }
        }
    }
}
