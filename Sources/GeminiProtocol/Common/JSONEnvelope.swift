import Foundation

/// The first look at a frame: is it an array or an object, and what are its `type` and
/// `result`. Decoders dispatch on this before decoding the full shape, so the message type
/// is known for error reports and unknown types never reach a strict decoder.
struct JSONEnvelope: Decodable {
    let type: String?
    let result: String?

    private enum CodingKeys: String, CodingKey { case type, result }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Lenient on purpose: a non-string `type` is reported later by the strict decoder.
        type = try? c.decodeIfPresent(String.self, forKey: .type)
        result = try? c.decodeIfPresent(String.self, forKey: .result)
    }

    enum Shape { case object, array, other }

    /// The JSON kind by the first non-whitespace byte.
    static func shape(of data: Data) -> Shape {
        for byte in data {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "{"): return .object
            case UInt8(ascii: "["): return .array
            default: return .other
            }
        }
        return .other
    }

    /// Decodes `T`, converting any failure into a `GeminiDecodingError` for `messageType`.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, messageType: String) throws(GeminiDecodingError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw GeminiDecodingError(error, messageType: messageType)
        }
    }
}
