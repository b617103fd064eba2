import Foundation

/// Decodes frames from `wss://api.gemini.com/v1/order/events`.
///
/// Not the hot path (a few messages per second at most), so it uses `JSONDecoder`: one
/// envelope pass to learn the frame's shape and type, then the full decode.
public enum OrderEventsDecoder {
    /// Decodes one text frame.
    ///
    /// - Throws: `GeminiDecodingError` naming the message type and field for invalid JSON,
    ///   missing required fields and wrong types. Unknown types are not errors.
    public static func decode(_ data: Data) throws(GeminiDecodingError) -> OrderEventsMessage {
        switch JSONEnvelope.shape(of: data) {
        case .array:
            return .events(try decodeEvents(data))
        case .other:
            // Let JSONDecoder describe what is wrong (invalid JSON vs. a bare scalar).
            _ = try JSONEnvelope.decode(JSONEnvelope.self, from: data, messageType: "order events frame")
            throw GeminiDecodingError(messageType: "order events frame", path: "",
                                      problem: .wrongType(expected: "an object or an array"))
        case .object:
            let envelope = try JSONEnvelope.decode(JSONEnvelope.self, from: data, messageType: "order events frame")
            if let type = envelope.type {
                switch type {
                case "subscription_ack":
                    return .subscriptionAck(try JSONEnvelope.decode(OrderEventsSubscriptionAck.self, from: data, messageType: type))
                case "heartbeat":
                    return .heartbeat(try JSONEnvelope.decode(OrderEventsHeartbeat.self, from: data, messageType: type))
                default:
                    let kind = OrderEventType(wireValue: type)
                    if kind.isKnown {
                        // Gemini sends arrays, but a lone event object is accepted too.
                        return .events([try JSONEnvelope.decode(OrderEvent.self, from: data, messageType: type)])
                    }
                    let sequence = try? JSONEnvelope.decode(SequenceProbe.self, from: data, messageType: type).socketSequence
                    return .unknown(type: type, socketSequence: sequence ?? nil)
                }
            }
            if envelope.result == "error" {
                return .error(try GeminiErrorBody.decode(data))
            }
            throw GeminiDecodingError(messageType: "order events frame", path: "type", problem: .missingField)
        }
    }

    /// `decode(_:)` for raw frame bytes.
    public static func decode(_ bytes: [UInt8]) throws(GeminiDecodingError) -> OrderEventsMessage {
        try decode(Data(bytes))
    }

    private static func decodeEvents(_ data: Data) throws(GeminiDecodingError) -> [OrderEvent] {
        do {
            return try JSONDecoder().decode([OrderEvent].self, from: data)
        } catch {
            // Name the failing element's own type, which the bare DecodingError cannot.
            let base = GeminiDecodingError(error, messageType: "order events")
            let types = (try? JSONDecoder().decode([TypeProbe].self, from: data)) ?? []
            if let index = Self.leadingIndex(base.path), index < types.count, let type = types[index].type {
                throw GeminiDecodingError(messageType: type, path: base.path, problem: base.problem)
            }
            throw base
        }
    }

    private static func leadingIndex(_ path: String) -> Int? {
        guard path.hasPrefix("["), let close = path.firstIndex(of: "]") else { return nil }
        return Int(path[path.index(after: path.startIndex)..<close])
    }

    private struct TypeProbe: Decodable {
        let type: String?
        init(from decoder: any Decoder) throws {
            let c = try? decoder.container(keyedBy: AnyCodingKey.self)
            type = try? c?.decodeIfPresent(String.self, forKey: AnyCodingKey("type"))
        }
    }
}

/// Reads only `socket_sequence`, tolerating anything else; for frames of unknown type.
struct SequenceProbe: Decodable {
    let socketSequence: Int64?
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        socketSequence = try? c.decodeFlexibleInt64IfPresent(AnyCodingKey("socket_sequence"))
    }
}
