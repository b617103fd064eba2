import Foundation

/// One payload found in `/work/shared/gemini/fixtures`, with what it is.
struct FixturePayload: CustomStringConvertible {
    enum Kind: Hashable {
        /// A frame of `/v1/order/events` (including its `{"result":"error"}` frames).
        case orderEvents
        /// A frame of `/v1/marketdata/{symbol}`.
        case marketDataV1
        /// A frame of `/v2/marketdata` (or a subscribe/unsubscribe we send there): another
        /// helper's decoder; only collected here.
        case marketDataV2
        /// A REST response body for the endpoint template (e.g. `/v1/symbols/details`).
        case restResponse(endpoint: String)
        /// A REST request payload we send; only checked to be valid JSON.
        case restRequest
        /// A REST error body, with its HTTP status when the fixture records one.
        case errorBody(status: Int?)
        /// Deliberately broken input (gocryptotrader's error tests, a frame without `type`):
        /// must give a typed error or an `.unknown`, never a crash.
        case malformed
    }

    let file: String
    /// Where in the file: `messages[3]`, `rest["GET /v1/book/BTCUSD"].response`…
    let label: String
    let kind: Kind
    /// The payload's exact text from the file.
    let json: String

    var data: Data { Data(json.utf8) }
    var description: String { "\(file) \(label)" }
}

/// Walks the shared fixture files and classifies every payload in them.
enum FixtureCatalog {
    /// `/work/shared/gemini/fixtures`, found from this file: the package root's parent holds `shared/`.
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // Fixtures
        .deletingLastPathComponent()   // GeminiProtocolTests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // package root
        .deletingLastPathComponent()   // its parent
        .appendingPathComponent("shared/gemini/fixtures")

    /// The REST endpoint templates we decode, longest first so prefixes match correctly.
    static let restEndpoints: [String] = [
        "/v1/order/cancel/session", "/v1/order/cancel/all", "/v1/order/cancel", "/v1/order/status",
        "/v1/order/new", "/v1/orders/history", "/v1/orders", "/v1/mytrades", "/v1/balances",
        "/v1/symbols/details", "/v1/symbols", "/v1/pubticker", "/v2/ticker", "/v1/book", "/v1/trades",
        "/v2/candles", "/v1/heartbeat", "/v1/roles", "/v1/notionalvolume",
    ]

    static func load(_ file: String) throws -> RawJSON {
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        return try RawJSON.parse(text)
    }

    /// Every payload in every JSON fixture file that carries Gemini payloads.
    /// (`ccxt_static_request_gemini.json` holds URLs only, `ccxt_static_markets_gemini.json`
    /// ccxt's own normalised structures, and the AsyncAPI file is YAML: none is a payload.)
    static func all() throws -> [FixturePayload] {
        var out: [FixturePayload] = []

        let gct = "gocryptotrader_ws_messages.json"
        for (i, item) in try load(gct)["messages"]!.elements.enumerated() {
            let message = item["message"]!
            out.append(.init(file: gct, label: "messages[\(i)] \(item["test_func"]?.stringValue ?? "")",
                             kind: classifyWebSocket(message, test: item["test_func"]?.stringValue), json: message.text))
        }

        let kohuhu = "kohuhu_order_events.json"
        for (name, message) in try load(kohuhu)["messages"]!.members {
            if let payload = message["payload"] {
                out.append(.init(file: kohuhu, label: "messages.\(name).payload", kind: .restRequest, json: payload.text))
            } else {
                out.append(.init(file: kohuhu, label: "messages.\(name)", kind: classifyWebSocket(message, test: nil), json: message.text))
            }
        }

        let docs = "gemini_docs_examples.json"
        let docRoot = try load(docs)
        for (name, entry) in docRoot["rest"]!.members {
            if let payload = entry["payload"] {
                out.append(.init(file: docs, label: "rest[\(name)].payload", kind: .restRequest, json: payload.text))
            }
            if let response = entry["response"] {
                out.append(.init(file: docs, label: "rest[\(name)].response",
                                 kind: .restResponse(endpoint: endpoint(of: name)), json: response.text))
            }
        }
        for (name, entry) in docRoot["errors"]!.members {
            let status = entry["status"].flatMap { Int($0.text) }
            out.append(.init(file: docs, label: "errors[\(name)].body", kind: .errorBody(status: status), json: entry["body"]!.text))
        }
        for section in ["ws_order_events_v1", "ws_marketdata_v1", "ws_marketdata_v2"] {
            for (name, entry) in docRoot[section]!.members {
                let message = entry["msg"]!
                out.append(.init(file: docs, label: "\(section).\(name)", kind: classifyWebSocket(message, test: nil), json: message.text))
            }
        }

        let ccxt = "ccxt_static_response_gemini.json"
        let ccxtEndpoints = ["fetchTrades": "/v1/trades", "fetchTicker": "/v1/pubticker", "fetchOHLCV": "/v2/candles"]
        for (method, cases) in try load(ccxt)["methods"]!.members {
            for (i, entry) in cases.elements.enumerated() {
                guard let response = entry["httpResponse"] else { continue }
                let endpoint = ccxtEndpoints[method] ?? "unmapped ccxt method \(method)"
                out.append(.init(file: ccxt, label: "methods.\(method)[\(i)].httpResponse",
                                 kind: .restResponse(endpoint: endpoint), json: response.text))
            }
        }
        return out
    }

    /// The raw JSON texts of every market data v2 payload, for the v2 decoder's tests.
    static func v2MarketDataPayloads() throws -> [String] {
        try all().filter { $0.kind == .marketDataV2 }.map(\.json)
    }

    /// `"GET /v1/symbols/details/BTCUSD"` → `"/v1/symbols/details"`.
    static func endpoint(of name: String) -> String {
        let path = name.split(separator: " ").first { $0.hasPrefix("/") }.map(String.init) ?? name
        return restEndpoints.first { path == $0 || path.hasPrefix($0 + "/") } ?? path
    }

    static let orderEventTypes: Set<String> = [
        "subscription_ack", "initial", "accepted", "rejected", "booked", "fill", "cancelled", "cancel_rejected", "closed",
    ]
    static let v2Types: Set<String> = [
        "subscribe", "unsubscribe", "l2_updates", "trade", "mark_price_updates", "funding_amount_updates",
        "auction_open", "auction_indicative", "auction_result",
    ]

    /// Classifies a WebSocket frame by its content (not by the section it was filed under),
    /// the way a router would have to.
    static func classifyWebSocket(_ message: RawJSON, test: String?) -> FixturePayload.Kind {
        if test == "TestWsError" { return .malformed }
        if message.isArray { return .orderEvents }
        let type = message["type"]?.stringValue
        guard let type else {
            return message["result"]?.stringValue == "error" ? .orderEvents : .malformed
        }
        if orderEventTypes.contains(type) { return .orderEvents }
        if type == "update" { return .marketDataV1 }
        if type == "heartbeat" {
            // Order events: sequence + trace_id; v1 market data: socket_sequence only;
            // v2: a bare timestamp.
            if message["trace_id"] != nil || message["sequence"] != nil { return .orderEvents }
            if message["socket_sequence"] != nil { return .marketDataV1 }
            return .marketDataV2
        }
        if v2Types.contains(type) || (type.hasPrefix("candles_") && type.hasSuffix("_updates")) { return .marketDataV2 }
        return .malformed
    }
}
