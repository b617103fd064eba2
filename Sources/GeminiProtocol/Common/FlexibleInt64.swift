import Foundation

/// An integer that Gemini sends sometimes as a JSON number and sometimes as a string
/// (timestamps, `tid`, `eventId`, `socket_sequence`). Never goes through `Double`, so
/// values above 2^53 stay exact.
public struct FlexibleInt64: Decodable, Sendable, Hashable {
    public let value: Int64

    public init(_ value: Int64) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = Int64(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an integer")
            }
            self.value = value
            return
        }
        if let value = try? container.decode(Int64.self) {
            self.value = value
            return
        }
        throw DecodingError.typeMismatch(Int64.self, .init(
            codingPath: decoder.codingPath, debugDescription: "expected an integer as a JSON number or string"))
    }
}
