import Foundation

/// Why a Gemini payload could not be decoded: which message, which field, what was wrong.
///
/// Every decoder in this module throws only this type, so callers can log one line that
/// names the culprit (`order event 'fill': [0].fill.price: expected a decimal…`) and decide
/// whether to drop the message or reconnect, without ever crashing on bad input.
public struct GeminiDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong with the payload.
    public enum Problem: Sendable, Equatable {
        /// The bytes are not JSON at all (or truncated).
        case invalidJSON(String)
        /// A required field is absent (or `null`).
        case missingField
        /// The field holds a JSON value of the wrong kind, e.g. a bool where a decimal belongs.
        case wrongType(expected: String)
        /// The field has the right JSON kind but an unusable value (e.g. `"abc"` as a price).
        case invalidValue(String)
    }

    /// The message or response type being decoded: a wire `type` (`"fill"`, `"update"`),
    /// or a REST response name (`"OrderStatus"`).
    public let messageType: String
    /// Where in the payload: `"[0].fill.price"`, `"events[2].side"`; empty for the whole payload.
    public let path: String
    public let problem: Problem

    public init(messageType: String, path: String, problem: Problem) {
        self.messageType = messageType
        self.path = path
        self.problem = problem
    }

    /// The last path component, i.e. the offending field's JSON name (nil for the whole
    /// payload or an array element).
    public var field: String? {
        guard let last = path.split(separator: ".").last, !last.hasSuffix("]") else { return nil }
        return String(last)
    }

    public var description: String {
        let place = path.isEmpty ? "payload" : "field '\(path)'"
        switch problem {
        case .invalidJSON(let detail):
            return "\(messageType): invalid JSON: \(detail)"
        case .missingField:
            return "\(messageType): \(place) is missing"
        case .wrongType(let expected):
            return "\(messageType): \(place) has the wrong type, expected \(expected)"
        case .invalidValue(let detail):
            return "\(messageType): \(place) has an invalid value: \(detail)"
        }
    }

    /// Translates Foundation's `DecodingError` (whose messages name Swift types and
    /// coding keys) into the wire vocabulary: JSON field paths.
    public init(_ error: any Error, messageType: String) {
        if let own = error as? GeminiDecodingError {
            self = own
            return
        }
        guard let error = error as? DecodingError else {
            self.init(messageType: messageType, path: "", problem: .invalidValue(String(describing: error)))
            return
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(messageType: messageType, path: Self.path(context.codingPath + [key]), problem: .missingField)
        case .valueNotFound(_, let context):
            self.init(messageType: messageType, path: Self.path(context.codingPath), problem: .missingField)
        case .typeMismatch(let type, let context):
            self.init(messageType: messageType, path: Self.path(context.codingPath),
                      problem: .wrongType(expected: Self.jsonKind(type, fallback: context.debugDescription)))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let detail = (context.underlyingError.map { String(describing: $0) }) ?? context.debugDescription
                self.init(messageType: messageType, path: "", problem: .invalidJSON(detail))
            } else {
                self.init(messageType: messageType, path: Self.path(context.codingPath),
                          problem: .invalidValue(context.debugDescription))
            }
        @unknown default:
            self.init(messageType: messageType, path: "", problem: .invalidValue(String(describing: error)))
        }
    }

    /// `[0].fill.price` style, the way one would point at a JSON value.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var result = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == String(index) {
                result += "[\(index)]"
            } else {
                if !result.isEmpty { result += "." }
                result += key.stringValue
            }
        }
        return result
    }

    private static func jsonKind(_ type: Any.Type, fallback: String) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Decimal.Type: return "a decimal (string or number)"
        case is Int64.Type, is Int.Type, is UInt64.Type: return "an integer"
        case is [Any].Type: return "an array"
        case is [String: Any].Type: return "an object"
        default: return "\(type) (\(fallback))"
        }
    }
}
