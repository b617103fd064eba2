import CastorCore
import Foundation
import GeminiClient
import GeminiProtocol
import Testing

/// Requests Gemini would certainly reject are refused before a nonce is spent.
@Suite(.timeLimit(.minutes(2))) struct ValidationTests {
    static let badClientOrderIDs = [
        "", String(repeating: "a", count: 37), "has space", "slash/no", "quote\"no", "ümlaut", "tab\tno", "percent%",
    ]

    @Test(arguments: badClientOrderIDs)
    func badClientOrderIDIsRefusedUnsent(_ id: String) async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let order = NewOrderPayload(clientOrderID: id, symbol: "btcusd", side: .buy, amount: dec("1"), price: dec("1"))
        let error = try failure(await call { client.newOrder(order, on: $0, completion: $1) })
        guard case .invalidRequest(let why) = error else {
            Issue.record("expected invalidRequest, got \(error)")
            return
        }
        #expect(why.contains("client_order_id"))
        #expect(!error.mayHaveExecuted)
        #expect(error.classification == .reject)
        let statusError = try failure(await call { client.orderStatus(clientOrderID: id, on: $0, completion: $1) })
        guard case .invalidRequest = statusError else {
            Issue.record("expected invalidRequest, got \(statusError)")
            return
        }
        #expect(try await stub.log().privateRequests.isEmpty)
    }

    @Test func everyAllowedCharacterAndThirtySixCharactersPass() {
        #expect(NewOrderPayload.clientOrderIDProblem(String(repeating: "Z", count: 36)) == nil)
        #expect(NewOrderPayload.clientOrderIDProblem(":-_.#azAZ09") == nil)
        #expect(NewOrderPayload.clientOrderIDProblem("x") == nil)
    }

    @Test func validIDOfThirtySixCharactersIsAccepted() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let id = "20190110-4738721:abc_def.ghi#jklmno"
        #expect(id.count == 35)
        let longest = id + "p"
        let order = NewOrderPayload(clientOrderID: longest, symbol: "btcusd", side: .buy, amount: dec("1"), price: dec("1"))
        let status = try success(await call { client.newOrder(order, on: $0, completion: $1) })
        #expect(status.clientOrderID == longest)
    }

    @Test func orderShapeRules() throws {
        func problem(_ order: NewOrderPayload) -> String? {
            do {
                _ = try order.payloadFields()
                return nil
            } catch {
                guard case .invalidRequest(let why) = error else { return "unexpected \(error)" }
                return why
            }
        }
        let base = NewOrderPayload(clientOrderID: "ok", symbol: "btcusd", side: .buy, amount: dec("1"), price: dec("100"))
        #expect(problem(base) == nil)
        var order = base
        order.amount = .zero
        #expect(problem(order)?.contains("amount") == true)
        order = base
        order.price = dec("-1")
        #expect(problem(order)?.contains("price") == true)
        order = base
        order.type = .stopLimit(stopPrice: dec("99"))
        #expect(problem(order) == nil)
        order.option = .immediateOrCancel
        #expect(problem(order)?.contains("no options") == true)
        order = base
        order.type = .stopLimit(stopPrice: dec("101"))
        #expect(problem(order)?.contains("buy stop_price") == true)
        order.side = .sell
        #expect(problem(order) == nil)
        order.type = .stopLimit(stopPrice: dec("99"))
        #expect(problem(order)?.contains("sell stop_price") == true)
        order = base
        order.symbol = "btc-usd"
        #expect(problem(order)?.contains("symbol") == true)
    }

    @Test func payloadFieldsAreInDocumentedOrder() throws {
        let order = NewOrderPayload(
            clientOrderID: "bot-0001", symbol: "BTCUSD", side: .buy, amount: dec("0.001"), price: dec("25000.00"),
            option: .makerOrCancel)
        let payload = GeminiPayload(
            path: "/v1/order/new", nonce: Nonce(milliseconds: 1_712_045_678_123), fields: try order.payloadFields())
        // API.md §2.6 B: the same bytes as the documented example.
        #expect(payload.json == #"{"request":"/v1/order/new","nonce":"1712045678.123","client_order_id":"bot-0001","symbol":"btcusd","amount":"0.001","price":"25000.00","side":"buy","type":"exchange limit","options":["maker-or-cancel"]}"#)
    }
}

/// Venue URLs for REST and the feeds.
@Suite(.timeLimit(.minutes(2))) struct VenueTests {
    @Test func productionAndSandbox() {
        #expect(GeminiVenue.production.restBaseURL == "https://api.gemini.com")
        #expect(GeminiVenue.production.orderEventsURL == "wss://api.gemini.com/v1/order/events")
        #expect(GeminiVenue.production.marketDataV2URL == "wss://api.gemini.com/v2/marketdata")
        #expect(GeminiVenue.sandbox.restBaseURL == "https://api.sandbox.gemini.com")
        #expect(GeminiVenue.sandbox.orderEventsURL == "wss://api.sandbox.gemini.com/v1/order/events")
        #expect(GeminiVenue.sandbox.marketDataV2URL == "wss://api.sandbox.gemini.com/v2/marketdata")
    }

    @Test func loopbackSimulatorUsesPlainWebSockets() throws {
        let venue = try GeminiVenue.custom(baseURL: "http://127.0.0.1:8080/")
        #expect(venue.restBaseURL == "http://127.0.0.1:8080")
        #expect(venue.restURL(path: "/v1/book/btcusd", query: [("limit_bids", "0")]) == "http://127.0.0.1:8080/v1/book/btcusd?limit_bids=0")
        #expect(venue.orderEventsURL == "ws://127.0.0.1:8080/v1/order/events")
        #expect(venue.marketDataV2URL == "ws://127.0.0.1:8080/v2/marketdata")
        let tls = try GeminiVenue.custom(baseURL: "https://gemini.internal:9443")
        #expect(tls.orderEventsURL == "wss://gemini.internal:9443/v1/order/events")
    }

    @Test(arguments: ["ftp://host", "127.0.0.1:80", "http://", "http://host/prefix", "https://host?x=1", "http://user@host"])
    func badBaseURLsAreRefused(_ url: String) {
        #expect(throws: GeminiVenueError.self) { try GeminiVenue.custom(baseURL: url) }
    }
}
