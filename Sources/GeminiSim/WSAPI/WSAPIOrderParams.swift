import CastorCore

/// The `order.place` params (WS-API.md §2.4.8) checked and turned into an engine request.
///
/// `{"symbol":"btcusd","side":"BUY","type":"LIMIT","timeInForce":"GTC","price":"10000.00",
/// "quantity":"0.001","clientOrderId":"ws_bot_001"}`; `stopPrice` makes it a stop-limit
/// (events say `o:"STOP_LIMIT"`). `timeInForce` maps to the engine's options: `GTC` none,
/// `IOC` immediate-or-cancel, `FOK` fill-or-kill, `MOC` maker-or-cancel.
///
/// A missing or mistyped field, or a value outside an enumeration, is 400/-1013 "Invalid
/// parameters"; a value the venue refuses is 400/-2010 with the reason as `msg`
/// (`UnknownInstrument`, `InvalidPrice`, `LimitPriceOffTick`, `InvalidQuantity`,
/// `InvalidStopPrice`, `InsufficientFunds`, `DuplicateOrder`, `MarketNotOpen`, …). `MARKET`
/// orders are refused with -2010 `UnsupportedOrderType` (the simulator matches limit orders
/// only; hummingbot avoids WS market orders too) before the engine sees them, so without a
/// `REJECTED` event; every other refusal is the engine's.
struct WSAPIOrderParams: Sendable {
    let request: SimOrderRequest

    /// Reads `params`; `symbolNamed` finds a venue symbol in any case.
    init(_ params: GeminiJSON?, connection: UInt64, symbolNamed: (String) -> SimSymbol?) throws(WSAPIError) {
        guard let params, case .object = params else { throw .invalidParameters }
        guard let rawSymbol = params["symbol"]?.stringValue else { throw .invalidParameters }
        guard let side = params["side"]?.stringValue, side == "BUY" || side == "SELL" else { throw .invalidParameters }
        guard let type = params["type"]?.stringValue, type == "LIMIT" || type == "MARKET" else { throw .invalidParameters }
        guard let tif = params["timeInForce"]?.stringValue, let option = Self.options[tif] else { throw .invalidParameters }
        guard let quantityText = params["quantity"]?.numberOrStringText else { throw .invalidParameters }
        var clientOrderId: String?
        if let cid = params["clientOrderId"], cid != .null {
            guard let text = cid.stringValue else { throw .invalidParameters }
            clientOrderId = text
        }
        var stopText: String?
        if let stop = params["stopPrice"], stop != .null {
            guard let text = stop.numberOrStringText else { throw .invalidParameters }
            stopText = text
        }
        guard type == "LIMIT" else { throw .orderRejected("UnsupportedOrderType") }
        guard let priceText = params["price"]?.numberOrStringText else { throw .invalidParameters }
        if stopText != nil, tif != "GTC" { throw .invalidParameters }
        // Everything else is the engine's to refuse, so a refusal emits its REJECTED event
        // (when switched on) like any other: an unknown symbol is sent as given.
        request = SimOrderRequest(symbol: symbolNamed(rawSymbol)?.symbol ?? rawSymbol, amount: quantityText, price: priceText,
                                  side: side.lowercased(),
                                  type: stopText == nil ? "exchange limit" : "exchange stop limit",
                                  options: option.map { [$0] } ?? [], stopPrice: stopText, clientOrderId: clientOrderId,
                                  channel: .websocket, connection: connection)
    }

    /// `timeInForce` → the engine option (nil: none).
    static let options: [String: String?] = [
        "GTC": String?.none, "IOC": "immediate-or-cancel", "FOK": "fill-or-kill", "MOC": "maker-or-cancel",
    ]

    /// The WebSocket API's reject reason for an engine refusal (WS-API.md §3.7).
    static func rejectReason(engineReason reason: String) -> String {
        switch reason {
        case "InvalidSymbol": "UnknownInstrument"
        case "InvalidStopPrice", "InvalidStopPriceBuy", "InvalidStopPriceSell", "InvalidStopPriceRatio": "InvalidStopPrice"
        default: reason
        }
    }
}
