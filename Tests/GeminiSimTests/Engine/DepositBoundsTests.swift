import CastorCore
import Testing
@testable import GeminiSim

/// Issue 10 (risks): a huge `/sim/deposit` must not trap the simulator (it would kill a
/// whole `castor run` with the embedded simulator); it is refused with a reason.
@Suite struct DepositBoundsTests {
    /// Before: `available + amount` used the trapping `+` (1.7e38 + 1e38 overflowed Int128).
    @Test func hugeDepositsAreRefusedAndLeaveTheBalanceAlone() {
        let f = EngineFixture()
        let near = ExactDecimal(mantissa: Int128.max / 2, scale: 0)
        #expect(refusal(f.engine.depositChecked(account: f.alice, currency: "USD", amount: near)) == .outOfRange(near))
        #expect(refusal(f.engine.depositChecked(account: f.alice, currency: "usd", amount: near)) == .outOfRange(near))
        #expect(!f.engine.deposit(account: f.alice, currency: "USD", amount: ExactDecimal(mantissa: .max, scale: 0)))
        #expect(!f.engine.deposit(account: f.alice, currency: "USD", amount: ExactDecimal(mantissa: -.max, scale: 0)))
        #expect(!f.engine.deposit(account: f.alice, currency: "USD", amount: ExactDecimal(mantissa: .min, scale: 0)))
        #expect(!f.engine.deposit(account: f.alice, currency: "USD", amount: ExactDecimal(mantissa: 1, scale: 38)))
        #expect(f.balance(f.alice, "USD").total == dec("1000000"))
    }

    @Test func balancesStayBelowTheLimitAcrossDeposits() {
        let f = EngineFixture()
        let big = dec("999999999999999999")
        #expect(refusal(f.engine.depositChecked(account: f.alice, currency: "XYZ", amount: big)) == nil)
        #expect(refusal(f.engine.depositChecked(account: f.alice, currency: "XYZ", amount: big)) == .balanceTooLarge)
        #expect(refusal(f.engine.depositChecked(account: f.alice, currency: "XYZ", amount: -big)) == nil)
        #expect(refusal(f.engine.depositChecked(account: f.alice, currency: "XYZ", amount: dec("-1"))) == .wouldGoNegative)
        #expect(refusal(f.engine.depositChecked(account: 99, currency: "USD", amount: dec("1"))) == .unknownAccount("99"))
        #expect(f.engine.deposit(account: f.alice, currency: "USD", amount: dec("0.5")))
        #expect(f.balance(f.alice, "USD").total == dec("1000000.5"))
    }
}

private func refusal(_ result: Result<Void, SimDepositError>) -> SimDepositError? {
    if case .failure(let error) = result { return error }
    return nil
}
