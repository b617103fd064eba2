import CastorCore
import CastorTrading
import Testing
@testable import CastorEngine

/// How pushed balances (the account socket's `balanceUpdate`) and REST reads combine in
/// `MarketState`: a push applies at once; a read's answer, which may be older than a push
/// that arrived while it was out, never undoes that push.
@Suite struct MarketStateBalanceTests {
    static func read(_ rows: [(String, String, String)]) -> [VenueBalance] {
        rows.map { VenueBalance(currency: $0.0, available: ExactDecimal($0.1)!, total: ExactDecimal($0.2)!) }
    }

    func amounts(_ market: MarketState, _ currency: String) -> (String, String)? {
        market.balances[currency].map { ("\($0.available)", "\($0.total)") }
    }

    @Test func aPushAppliesAtOnceAndOneWithoutATotalKeepsTheLastKnownTotal() {
        var market = MarketState()
        market.balancesReadSent()
        market.balancesRead(Self.read([("USD", "1000", "1000"), ("BTC", "2", "2")]), replacing: true)
        market.balancePushed(VenueBalanceChange(currency: "USD", available: ExactDecimal(900), total: ExactDecimal(1000)))
        market.balancePushed(VenueBalanceChange(currency: "BTC", available: ExactDecimal("1.5")!, total: nil))
        #expect(amounts(market, "USD")! == ("900", "1000"))
        #expect(amounts(market, "BTC")! == ("1.5", "2"))
        // Unknown before, no total: the total is at least what is available.
        market.balancePushed(VenueBalanceChange(currency: "ETH", available: ExactDecimal(3), total: nil))
        #expect(amounts(market, "ETH")! == ("3", "3"))
        // More available than the last total (a deposit), no total: not below available.
        market.balancePushed(VenueBalanceChange(currency: "BTC", available: ExactDecimal(4), total: nil))
        #expect(amounts(market, "BTC")! == ("4", "4"))
    }

    @Test func aPushThatArrivesWhileAReadIsOutIsLaidOverItsAnswer() {
        var market = MarketState()
        market.balancesRead(Self.read([("USD", "1000", "1000")]), replacing: true)
        market.balancesReadSent()
        market.balancePushed(VenueBalanceChange(currency: "USD", available: ExactDecimal(700), total: ExactDecimal(1000)))
        // The answer was made before the push: it would put 1000 back.
        market.balancesRead(Self.read([("USD", "1000", "1000"), ("BTC", "1", "1")]), replacing: true)
        #expect(amounts(market, "USD")! == ("700", "1000"))
        #expect(amounts(market, "BTC")! == ("1", "1"))
        // The next read's answer is newer than that push, and stands.
        market.balancesReadSent()
        market.balancesRead(Self.read([("USD", "650", "1000")]), replacing: true)
        #expect(amounts(market, "USD")! == ("650", "1000"))
        #expect(market.balances["BTC"] == nil)
    }

    @Test func aFailedReadLaysNothingOverTheNextOne() {
        var market = MarketState()
        market.balancesReadSent()
        market.balancePushed(VenueBalanceChange(currency: "USD", available: ExactDecimal(5), total: ExactDecimal(5)))
        market.balancesReadFailed()
        market.balancesReadSent()
        market.balancesRead(Self.read([("USD", "8", "8")]), replacing: true)
        #expect(amounts(market, "USD")! == ("8", "8"))
    }

    @Test func theStartUpReadAddsToPushesThatCameFirst() {
        var market = MarketState()
        market.balancesReadSent()
        market.balancePushed(VenueBalanceChange(currency: "SOL", available: ExactDecimal(9), total: ExactDecimal(9)))
        market.balancesRead(Self.read([("USD", "1", "1")]), replacing: false)
        #expect(amounts(market, "SOL")! == ("9", "9"))
        #expect(amounts(market, "USD")! == ("1", "1"))
    }
}
