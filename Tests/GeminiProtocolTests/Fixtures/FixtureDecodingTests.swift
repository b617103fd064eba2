import CastorCore
import Foundation
@testable import GeminiProtocol
import Testing

/// Decodes every payload in the shared fixture files with the decoder its kind calls for.
@Suite struct FixtureDecodingTests {
    let payloads: [FixturePayload]

    init() throws { payloads = try FixtureCatalog.all() }

    func count(_ kind: FixturePayload.Kind) -> Int { payloads.filter { $0.kind == kind }.count }

    @Test func catalogueClassifiesEveryPayload() {
        let rest = payloads.filter { if case .restResponse = $0.kind { true } else { false } }
        let errors = payloads.filter { if case .errorBody = $0.kind { true } else { false } }
        #expect(count(.orderEvents) == 23)
        // `/v1/marketdata` frames (archived; Castor has no decoder for them) are catalogued
        // so the counts stay exact, not decoded.
        #expect(count(.marketDataV1) == 13)
        #expect(count(.marketDataV2) == 14)
        #expect(count(.restRequest) == 13)
        #expect(count(.malformed) == 5)
        #expect(rest.count == 24)
        #expect(errors.count == 11)
        #expect(payloads.count == 103)
    }

    @Test func orderEventFramesDecode() throws {
        for payload in payloads where payload.kind == .orderEvents {
            let message = try OrderEventsDecoder.decode(payload.data)
            if case .unknown = message { Issue.record("\(payload) decoded as unknown") }
            if case .events(let events) = message {
                #expect(!events.isEmpty, "\(payload)")
                for event in events {
                    #expect(event.type.isKnown, "\(payload)")
                    #expect(!event.orderID.isEmpty, "\(payload)")
                }
            }
        }
    }

    @Test func restResponsesDecode() throws {
        for payload in payloads {
            guard case .restResponse(let endpoint) = payload.kind else { continue }
            try RESTFixtureDecoding.decode(endpoint: endpoint, payload.data, label: payload.description)
        }
    }

    @Test func errorBodiesDecodeAndClassify() throws {
        for payload in payloads {
            guard case .errorBody(let status) = payload.kind else { continue }
            let body = try #require(GeminiErrorBody.classify(body: payload.data), "\(payload)")
            #expect(!body.reason.rawValue.isEmpty)
            #expect(body.message != nil)
            let result = try GeminiRESTDecoder.decode(OrderStatus.self, from: payload.data, httpStatus: status ?? 400)
            guard case .failure(let viaREST) = result else { Issue.record("\(payload) decoded as success"); continue }
            #expect(viaREST == body)
        }
    }

    @Test func requestsAreValidJSON() throws {
        for payload in payloads where payload.kind == .restRequest {
            let object = try JSONSerialization.jsonObject(with: payload.data) as? [String: Any]
            #expect(object?["request"] is String, "\(payload)")
        }
    }

    @Test func v2PayloadsAreCollectedForTheV2Decoder() throws {
        let v2 = try FixtureCatalog.v2MarketDataPayloads()
        #expect(v2.count == 14)
        for text in v2 { _ = try JSONSerialization.jsonObject(with: Data(text.utf8)) }
        #expect(v2.contains { $0.contains("\"l2_updates\"") })
        #expect(v2.contains { $0.contains("candles_15m_updates") })
    }

    /// Broken inputs end as a typed error or a tolerated unknown, in both feed decoders.
    @Test func malformedInputsGiveTypedErrorsNotCrashes() {
        for payload in payloads where payload.kind == .malformed {
            do {
                let message = try OrderEventsDecoder.decode(payload.data)
                switch message {
                case .unknown, .error: break
                default: Issue.record("\(payload) decoded as \(message)")
                }
            } catch {
                #expect(!error.messageType.isEmpty)
            }
        }
    }
}

/// Maps an endpoint template to its response type.
enum RESTFixtureDecoding {
    static func decode(endpoint: String, _ data: Data, label: String) throws {
        func check<T: Decodable>(_ type: T.Type) throws {
            let result = try GeminiRESTDecoder.decode(type, from: data)
            guard case .success = result else {
                Issue.record("\(label): expected \(type), got \(result)")
                return
            }
        }
        switch endpoint {
        case "/v1/order/new", "/v1/order/cancel", "/v1/order/status": try check(OrderStatus.self)
        case "/v1/order/cancel/all", "/v1/order/cancel/session": try check(CancelAllResponse.self)
        case "/v1/orders", "/v1/orders/history": try check(OrderList.self)
        case "/v1/mytrades": try check([MyTrade].self)
        case "/v1/balances": try check([Balance].self)
        case "/v1/symbols": try check([Symbol].self)
        case "/v1/symbols/details": try check(SymbolDetails.self)
        case "/v1/pubticker": try check(PubTicker.self)
        case "/v2/ticker": try check(TickerV2.self)
        case "/v1/book": try check(OrderBookSnapshot.self)
        case "/v1/trades": try check([PublicTrade].self)
        case "/v2/candles": try check([Candle].self)
        case "/v1/heartbeat": try check(ResultOK.self)
        case "/v1/roles": try check(Roles.self)
        case "/v1/notionalvolume": try check(NotionalVolume.self)
        default: Issue.record("\(label): no decoder for endpoint \(endpoint)")
        }
    }
}
