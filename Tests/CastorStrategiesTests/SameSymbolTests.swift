import CastorStrategy
import Testing

/// `StrategyParameters.sameSymbol`: ASCII case-insensitive, nothing else folded.
@Suite struct SameSymbolTests {
    @Test func lettersCompareWithoutCaseOnly() {
        #expect(StrategyParameters.sameSymbol("BTCUSD", "btcusd"))
        #expect(StrategyParameters.sameSymbol("BtcUsd", "bTCuSD"))
        #expect(StrategyParameters.sameSymbol("GEMI-PRES2028", "gemi-pres2028"))
        #expect(!StrategyParameters.sameSymbol("BTCUSD", "BTCUSDT"))
        #expect(!StrategyParameters.sameSymbol("BTCUSD", "ETHUSD"))
        // '@' (0x40) and '`' (0x60) differ by the case bit but are not letters.
        #expect(!StrategyParameters.sameSymbol("A@", "A`"))
        #expect(!StrategyParameters.sameSymbol("1", "\u{11}"))
        #expect(StrategyParameters.sameSymbol("", ""))
    }
}
