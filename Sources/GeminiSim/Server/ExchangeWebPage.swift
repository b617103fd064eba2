import CastorCore

/// A stand-in for `https://exchange.gemini.com/` (the website, not the API).
///
/// ccxt's `gemini` class loads market precisions from the website's embedded
/// `<script … id="currencyData">` JSON (`tradingPairs`: `[symbol, price decimals, quantity
/// decimals, min quantity, round decimals, minimums inclusive]`, and `currencies`), because
/// `/v1/symbols` has none. Serving the same block at `GET /` lets an unmodified ccxt point
/// its `webExchange` URL at the simulator and place orders with correct precision.
enum ExchangeWebPage {
    static func html(symbols: [SimSymbol]) -> String {
        func decimals(_ step: ExactDecimal) -> Int { Int(step.normalized.scale) }
        let pairs: [GeminiJSON] = symbols.map { s in
            .array([.string(s.symbol), .int(decimals(s.quoteIncrement)), .int(decimals(s.tickSize)),
                    .string(s.minOrderSize.normalized.description), .int(decimals(s.tickSize) + 2), .bool(true)])
        }
        var seen = Set<String>()
        var currencies: [GeminiJSON] = []
        for s in symbols {
            for (code, step) in [(s.base, s.tickSize), (s.quote, s.quoteIncrement)] where seen.insert(code).inserted {
                let fiat = ["USD", "EUR", "GBP", "SGD", "CAD", "AUD", "HKD"].contains(code)
                let places = fiat ? 2 : max(decimals(step), 6)
                currencies.append(.array([.string(code), .string(code), .int(currencies.count + 1), .int(places), .int(fiat ? 2 : 0),
                                          .int(places), .int(places), .bool(fiat), .null, fiat ? .null : .string(code.lowercased())]))
            }
        }
        let data = GeminiJSON.object([("tradingPairs", .array(pairs)), ("currencies", .array(currencies)), ("networks", .array([]))])
        return """
        <!DOCTYPE html><html><head><title>Gemini (Castor simulator)</title></head><body>
        <p>Castor's local Gemini exchange simulator. The REST API is served on this host and port.</p>
        <script type="application/json" id="currencyData">\(data.serialized)</script>
        </body></html>
        """
    }
}
