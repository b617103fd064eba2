/// Why a market data v2 message could not be decoded.
///
/// Decoding is all-or-nothing: the decoder validates and parses the whole message before it
/// calls the handler, so on any of these errors the handler saw nothing from that message.
/// What to do: log the error with the offset, count it, and — because v2 has no sequence
/// numbers — treat the symbol's book as suspect: resubscribe (a fresh snapshot follows).
public enum MarketDataV2DecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not valid JSON; `offset` is the byte where parsing stopped.
    case malformedJSON(offset: Int, problem: JSONProblem)
    /// Valid JSON whose top level is not an object (v2 messages are always objects).
    case notAnObject(offset: Int)
    /// A field the message type requires is absent; `offset` is where the enclosing object starts.
    case missingField(MarketDataV2Field, offset: Int)
    /// A field has the wrong JSON type or an unparsable value (a decimal that is not a
    /// decimal, a side other than buy/sell, a negative quantity, a change that is not a
    /// 3-element array …); `offset` is where the value starts.
    case invalidValue(MarketDataV2Field, offset: Int)

    /// The byte offset the error refers to.
    public var offset: Int {
        switch self {
        case .malformedJSON(let o, _), .notAnObject(let o), .missingField(_, let o), .invalidValue(_, let o): o
        }
    }

    public var description: String {
        switch self {
        case .malformedJSON(let o, let p): "malformed JSON at byte \(o): \(p)"
        case .notAnObject(let o): "message at byte \(o) is not a JSON object"
        case .missingField(let f, let o): "object at byte \(o) lacks required field \"\(f.rawValue)\""
        case .invalidValue(let f, let o): "invalid value for \"\(f.rawValue)\" at byte \(o)"
        }
    }
}

/// What exactly was wrong with malformed JSON.
public enum JSONProblem: Equatable, Sendable, CustomStringConvertible {
    /// The message ended inside a value (a truncated frame).
    case unexpectedEnd
    /// A byte that cannot start or continue the expected token.
    case unexpectedByte(UInt8)
    /// A string's closing quote is missing.
    case unterminatedString
    /// A raw control character (below U+0020) inside a string.
    case controlCharacterInString
    /// A backslash escape other than `\" \\ \/ \b \f \n \r \t \uXXXX`.
    case invalidEscape
    /// A number that does not follow the JSON number grammar.
    case invalidNumber
    /// A bare word other than `true`, `false`, `null`.
    case invalidLiteral
    /// Arrays/objects nested deeper than the decoder allows (64).
    case nestedTooDeeply
    /// Non-whitespace bytes after the complete top-level value.
    case trailingData

    public var description: String {
        switch self {
        case .unexpectedEnd: "unexpected end of input"
        case .unexpectedByte(let b):
            b >= 0x20 && b < 0x7F ? "unexpected '\(Character(Unicode.Scalar(b)))'" : "unexpected byte 0x\(String(b, radix: 16))"
        case .unterminatedString: "unterminated string"
        case .controlCharacterInString: "control character in string"
        case .invalidEscape: "invalid escape sequence"
        case .invalidNumber: "invalid number"
        case .invalidLiteral: "invalid literal"
        case .nestedTooDeeply: "nested too deeply"
        case .trailingData: "data after the end of the message"
        }
    }
}

/// The fields the v2 decoder interprets, named as on the wire.
public enum MarketDataV2Field: String, Sendable {
    case type, symbol, changes, trades, side, price, quantity, timestamp, tid, result, reason
    case eventID = "event_id"
    case auctionEvents = "auction_events"
    case candle = "candle"
    case markPrice = "mark_price"
    case spotIndex = "spot_index"
    case fundingAmount = "funding_amount"
    case fundingDateTime = "funding_date_time"
    case fundingIntervalInMinutes = "funding_interval_in_minutes"
    case isRealized = "is_realized"
    case auctionField = "auction field"
}
