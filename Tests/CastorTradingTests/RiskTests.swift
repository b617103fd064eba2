import CastorCore
import GeminiProtocol
import Testing
@testable import CastorTrading

@Suite struct RiskTests {
    let limits = RiskCheckLimits(maxOrderNotional: d("1000"), maxPosition: d("2"), maxOpenOrders: 3, priceBandBps: 100, maxOrdersPerMinute: 2)
    func checker() -> RiskChecker { RiskChecker(defaultLimits: limits, limitsBySymbol: ["ETHUSD": RiskCheckLimits()]) }
    let ctx = RiskContext(mid: d("100"))

    func rule(_ d: RiskDecision) -> RiskRule? { if case .refuse(let r, _) = d { r } else { nil } }

    @Test func eachRuleRefusesByName() {
        let c = checker()
        #expect(c.check(intent(amount: "1", price: "100"), context: ctx, now: 0) == .allow)
        #expect(rule(c.check(intent(amount: "0", price: "100"), context: ctx, now: 0)) == .invalidOrder)
        #expect(rule(c.check(intent(amount: "10.01", price: "100"), context: ctx, now: 0)) == .maxOrderNotional)
        #expect(rule(c.check(intent(amount: "1.5", price: "100"), context: RiskContext(mid: d("100"), position: d("1")), now: 0)) == .maxPosition)
        // Open orders on the same side count toward the worst case.
        #expect(rule(c.check(intent(amount: "1", price: "100"), context: RiskContext(mid: d("100"), openOrders: 1, openBuyAmount: d("1.5")), now: 0)) == .maxPosition)
        // A sell that reduces a long position is fine.
        #expect(c.check(intent(.sell, amount: "3", price: "100"), context: RiskContext(mid: d("100"), position: d("2")), now: 0) == .allow)
        #expect(rule(c.check(intent(amount: "1", price: "100"), context: RiskContext(mid: d("100"), openOrders: 3), now: 0)) == .maxOpenOrders)
        #expect(rule(c.check(intent(amount: "1", price: "101.01"), context: ctx, now: 0)) == .priceBand)
        #expect(c.check(intent(amount: "1", price: "101.00"), context: ctx, now: 0) == .allow)  // exactly 100 bps
        #expect(rule(c.check(intent(.sell, amount: "1", price: "98.99"), context: ctx, now: 0)) == .priceBand)
        #expect(rule(c.check(intent(amount: "1", price: "100"), context: RiskContext(mid: nil), now: 0)) == .noMidPrice)
        // Per-symbol override with everything off.
        #expect(c.check(intent(amount: "1000", price: "1", symbol: "ETHUSD"), context: RiskContext(mid: nil), now: 0) == .allow)
    }

    @Test func slidingWindowRate() {
        var c = checker()
        let o = intent(amount: "1", price: "100")
        let a = c.admit(o, context: ctx, now: 0), b = c.admit(o, context: ctx, now: 30_000)
        #expect(a == .allow && b == .allow)
        let third = c.admit(o, context: ctx, now: 59_999)
        #expect(rule(third) == .orderRate)
        // Refusals are not counted; the first one leaves the window after 60 s.
        let fourth = c.admit(o, context: ctx, now: 60_000)
        #expect(fourth == .allow)
        // check() alone never counts.
        for _ in 0..<5 { #expect(c.check(intent(symbol: "BTCUSD"), context: ctx, now: 200_000) == .allow) }
    }

    @Test func killSwitchRefusesEverythingButCancels() {
        var c = checker()
        c.engageKillSwitch(reason: "operator")
        #expect(rule(c.check(intent(), context: ctx, now: 0)) == .killSwitch)
        #expect(rule(c.check(intent(symbol: "ETHUSD"), context: ctx, now: 0)) == .killSwitch)
        #expect(c.checkCancel() == .allow)
        c.releaseKillSwitch()
        #expect(c.check(intent(), context: ctx, now: 0) == .allow)
    }
}
