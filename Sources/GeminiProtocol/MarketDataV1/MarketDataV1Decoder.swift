import Foundation

/// Decodes frames from `wss://api.gemini.com/v1/marketdata/{symbol}` (and
/// `/v1/multimarketdata`, whose events also carry `symbol`).
public enum MarketDataV1Decoder {
    /// Decodes one text frame.
    ///
    /// - Throws: `GeminiDecodingError` for invalid JSON, a frame without `type`, or an
    ///   `update` with a missing or malformed field. Unknown frame and event types are not
    ///   errors.
    public static func decode(_ data: Data) throws(GeminiDecodingError) -> MarketDataV1Message {
        guard JSONEnvelope.shape(of: data) == .object else {
            _ = try JSONEnvelope.decode(JSONEnvelope.self, from: data, messageType: "market data v1 frame")
            throw GeminiDecodingError(messageType: "market data v1 frame", path: "", problem: .wrongType(expected: "an object"))
        }
        let envelope = try JSONEnvelope.decode(JSONEnvelope.self, from: data, messageType: "market data v1 frame")
        guard let type = envelope.type else {
            throw GeminiDecodingError(messageType: "market data v1 frame", path: "type", problem: .missingField)
        }
        switch type {
        case "update":
            return .update(try JSONEnvelope.decode(MarketDataV1Update.self, from: data, messageType: type))
        case "heartbeat":
            return .heartbeat(socketSequence: try JSONEnvelope.decode(StrictSequence.self, from: data, messageType: type).value)
        default:
            let sequence = try? JSONEnvelope.decode(SequenceProbe.self, from: data, messageType: type).socketSequence
            return .unknown(type: type, socketSequence: sequence ?? nil)
        }
    }

    /// `decode(_:)` for raw frame bytes.
    public static func decode(_ bytes: [UInt8]) throws(GeminiDecodingError) -> MarketDataV1Message {
        try decode(Data(bytes))
    }

    /// A heartbeat's `socket_sequence`, reported when malformed (unlike `SequenceProbe`).
    private struct StrictSequence: Decodable {
        let value: Int64?
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: AnyCodingKey.self)
            value = try c.decodeFlexibleInt64IfPresent(AnyCodingKey("socket_sequence"))
        }
    }
}
