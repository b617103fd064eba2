import CastorTrading
import Testing
@testable import CastorEngine

/// The start-up's least-privilege rule on the key's roles (`Engine.rolesRefusal`).
@Suite struct KeyRolesTests {
    @Test func aTradeOnlyKeyStarts() {
        #expect(Engine.rolesRefusal(VenuePermissions(canTrade: true, detail: "trader"), allowFundManager: false) == nil)
    }

    @Test func aKeyThatCanWithdrawIsRefusedWithTheFixUnlessAllowed() throws {
        let p = VenuePermissions(canTrade: true, canWithdraw: true, detail: "trader true, fund manager true")
        let refusal = try #require(Engine.rolesRefusal(p, allowFundManager: false))
        #expect(refusal.contains("Fund Manager") && refusal.contains("allow_fund_manager") && refusal.contains("trade-only"))
        #expect(Engine.rolesRefusal(p, allowFundManager: true) == nil)
    }

    @Test func aReadOnlyOrNonTradingKeyIsRefusedEvenWhenWithdrawalIsAllowed() throws {
        let auditor = VenuePermissions(canTrade: false, isReadOnly: true, detail: "auditor true")
        #expect(try #require(Engine.rolesRefusal(auditor, allowFundManager: true)).contains("read-only"))
        let fundOnly = VenuePermissions(canTrade: false, canWithdraw: true, detail: "fund manager true")
        #expect(try #require(Engine.rolesRefusal(fundOnly, allowFundManager: true)).contains("Trader role"))
    }
}
