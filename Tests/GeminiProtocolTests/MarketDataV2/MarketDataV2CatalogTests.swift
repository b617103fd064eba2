import CastorCore
import Foundation
import GeminiProtocol
import Testing

/// Every payload `FixtureCatalog` classifies as market data v2 (frames received from
/// `/v2/marketdata` and the subscribe/unsubscribe requests sent there) decodes with
/// `MarketDataV2Decoder` without throwing, as the kind its `type` says.
@Suite struct MarketDataV2CatalogTests {
    @Test func everyCataloguedV2PayloadDecodes() throws {
        let payloads = try FixtureCatalog.v2MarketDataPayloads()
        #expect(!payloads.isEmpty)
        var decoder = MarketDataV2Decoder()
        var decoded = 0
        for text in payloads {
            let type = try expectedType(of: text)
            let kind: MarketDataV2MessageKind
            let handler: RecordingHandler
            do {
                (kind, handler) = try decode(text, &decoder)
            } catch {
                Issue.record("\(error) decoding \(text)")
                continue
            }
            decoded += 1
            switch type {
            case "subscribe", "unsubscribe":
                // Requests we send: recognised, nothing handed to the handler.
                #expect(kind == .outgoingRequest, "\(text)")
                #expect(handler.callCount == 0, "\(text)")
            case "l2_updates": #expect(kind == .l2Updates, "\(text)")
            case "trade": #expect(kind == .trade, "\(text)")
            case "heartbeat": #expect(kind == .heartbeat, "\(text)")
            case "mark_price_updates": #expect(kind == .markPrice, "\(text)")
            case "funding_amount_updates": #expect(kind == .fundingAmount, "\(text)")
            case "auction_open", "auction_indicative", "auction_result": #expect(kind == .auction, "\(text)")
            default:
                #expect(type.hasPrefix("candles_") && type.hasSuffix("_updates"), "\(text)")
                #expect(kind == .candles, "\(text)")
            }
            if kind != .outgoingRequest {
                #expect(handler.callCount > 0, "\(text)")
            }
        }
        #expect(decoded == payloads.count)
    }

    /// The top-level `type` of a catalogued payload (the catalogue only lists typed ones).
    private func expectedType(of text: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return try #require(object?["type"] as? String, "\(text)")
    }
}
