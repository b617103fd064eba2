import Foundation

/// An identifier (`order_id`, `trade_id`, cancelled order ids) kept as its decimal text.
///
/// Gemini sends ids as strings in most places and as JSON numbers in a few (cancel-all
/// details, old order-event examples); both decode to the same canonical digits here, so
/// ids from different endpoints compare equal. Numbers are read as integers, never `Double`.
public struct LenientID: Decodable, Sendable, Hashable {
    public let value: String

    public init(_ value: String) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self.value = text
            return
        }
        if let number = try? container.decode(Int64.self) {
            self.value = String(number)
            return
        }
        if let number = try? container.decode(UInt64.self) {
            self.value = String(number)
            return
        }
        throw DecodingError.typeMismatch(String.self, .init(
            codingPath: decoder.codingPath, debugDescription: "expected an id as a JSON string or integer"))
    }
}

extension KeyedDecodingContainer {
    /// A required id, string or integer.
    public func decodeID(_ key: Key) throws -> String {
        try decode(LenientID.self, forKey: key).value
    }

    /// An optional id; absent or `null` gives nil.
    public func decodeIDIfPresent(_ key: Key) throws -> String? {
        try decodeIfPresent(LenientID.self, forKey: key)?.value
    }

    /// A required integer (timestamp, sequence, tid), string or number.
    public func decodeFlexibleInt64(_ key: Key) throws -> Int64 {
        try decode(FlexibleInt64.self, forKey: key).value
    }

    /// An optional integer, string or number; absent or `null` gives nil.
    public func decodeFlexibleInt64IfPresent(_ key: Key) throws -> Int64? {
        try decodeIfPresent(FlexibleInt64.self, forKey: key)?.value
    }
}
