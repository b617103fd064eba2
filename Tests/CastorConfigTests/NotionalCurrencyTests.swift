import CastorConfig
import Testing

/// `max_order_notional` is in the quote currency: the default 100 is harmless on BTCUSD and
/// 100 BTC an order on ETHBTC, so a symbol not quoted in dollars needs its own cap.
@Suite struct NotionalCurrencyTests {
    private func parse(_ text: String) throws(ConfigurationError) -> CastorConfiguration {
        try CastorConfiguration.parse(text: text, fileName: "castor.toml", environment: ["HOME": "/home/op"])
    }

    @Test func aSymbolQuotedInBitcoinNeedsItsOwnNotionalCap() throws {
        do {
            _ = try parse("[engine]\nsymbols = [\"BTCUSD\", \"ETHBTC\"]\n[risk]\nmax_order_notional = \"250\"\n")
            Issue.record("ETHBTC with a 250 cap in BTC was accepted")
        } catch {
            let text = error.issues.map { "\($0)" }.joined(separator: "\n")
            #expect(text.contains("castor.toml:2: engine.symbols: ETHBTC is not quoted in dollars"), "\(text)")
            #expect(text.contains("would allow 250 BTC an order; set [risk.symbols.ETHBTC] max_order_notional"), "\(text)")
        }
        let ok = try parse("[engine]\nsymbols = [\"BTCUSD\", \"ETHBTC\"]\n[risk.symbols.ethbtc]\nmax_order_notional = \"0.002\"\n")
        #expect(ok.risk.limits(for: "ETHBTC").maxOrderNotional.description == "0.002")
    }

    @Test func dollarLikeQuotesAndPerpetualsKeepTheDefault() throws {
        let config = try parse("[engine]\nsymbols = [\"BTCUSD\", \"ETHUSDT\", \"SOLGUSD\", \"BTCGUSDPERP\", \"BTCEUR\"]\n")
        #expect(config.engine.symbols.count == 5)
    }
}
