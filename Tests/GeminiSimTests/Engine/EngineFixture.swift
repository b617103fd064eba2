import CastorCore
@testable import GeminiSim

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    var ms: Int64 = 1_700_000_000_000
    func advance(_ delta: Int64 = 1) { ms += delta }
}

func dec(_ s: String) -> ExactDecimal { ExactDecimal(s)! }

/// An engine with two funded accounts on the default symbols.
struct EngineFixture {
    let engine: SimEngine
    let clock: TestClock
    let alice: Int64
    let bob: Int64

    init(funds: [String: ExactDecimal] = ["USD": dec("1000000"), "BTC": dec("100"), "ETH": dec("1000"), "SOL": dec("10000")]) {
        let clock = TestClock()
        self.clock = clock
        engine = SimEngine(firstId: 1000) { clock.ms }
        alice = engine.createAccount(name: "alice", balances: funds)
        bob = engine.createAccount(name: "bob", balances: funds)
        engine.addAPISession("alice-key", account: alice)
        engine.addAPISession("bob-key", account: bob)
    }

    func session(_ account: Int64) -> String { account == alice ? "alice-key" : "bob-key" }

    @discardableResult
    func place(_ account: Int64, _ side: Side, _ amount: String, _ price: String, symbol: String = "BTCUSD",
               options: [String] = [], clientOrderId: String? = nil) throws(SimError) -> SimOrderSnapshot {
        try engine.placeOrder(SimOrderRequest(symbol: symbol, amount: amount, price: price, side: side.rawValue,
                                              options: options, clientOrderId: clientOrderId),
                              account: account, session: session(account))
    }

    func balance(_ account: Int64, _ currency: String) -> SimBalance {
        engine.balances(account: account).first { $0.currency == currency }!
    }

    /// Types of the drained order events of `account`.
    func eventTypes(_ events: [SimOrderEvent], account: Int64, order: Int64? = nil) -> [SimOrderEventType] {
        events.filter { $0.accountId == account && (order == nil || $0.order.orderId == order) }.map(\.type)
    }
}
