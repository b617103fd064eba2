/// A validated Gemini `client_order_id`: 1–36 characters of `[:\-_.#a-zA-Z0-9]` (§3.1).
///
/// The only way to obtain one is through validation (`init?(_:)`/`validate(_:)`) or a
/// `ClientOrderIDGenerator`, so an id the exchange would refuse cannot reach a request.
public struct ClientOrderID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// The documented maximum length; the error table allows more, the regex does not.
    public static let maxLength = 36

    /// Why a string is not a valid client order id.
    public enum ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
        case empty
        case tooLong(length: Int)
        case invalidCharacter(Character)

        public var description: String {
            switch self {
            case .empty: "client_order_id is empty"
            case .tooLong(let n): "client_order_id has \(n) characters, at most \(ClientOrderID.maxLength) allowed"
            case .invalidCharacter(let c): "client_order_id contains '\(c)'; allowed are [:-_.#a-zA-Z0-9]"
            }
        }
    }

    /// Nil unless `raw` is valid.
    public init?(_ raw: String) {
        guard ClientOrderID.validate(raw) == nil else { return nil }
        rawValue = raw
    }

    /// Throws the reason `raw` is invalid.
    public init(validating raw: String) throws(ValidationError) {
        if let error = ClientOrderID.validate(raw) { throw error }
        rawValue = raw
    }

    /// Nil when `raw` is a valid client order id, else why not.
    public static func validate(_ raw: String) -> ValidationError? {
        if raw.isEmpty { return .empty }
        // Every allowed character is one ASCII byte, so bytes decide; characters are
        // walked only to name the offending one (byte checks are ~10x cheaper, and ids
        // are made on the tick-to-order path).
        if !raw.utf8.allSatisfy(isAllowed) {
            for c in raw where !isAllowed(c) { return .invalidCharacter(c) }
        }
        let n = raw.utf8.count
        return n > maxLength ? .tooLong(length: n) : nil
    }

    static func isAllowed(_ c: Character) -> Bool {
        guard c.isASCII, let v = c.asciiValue, c.unicodeScalars.count == 1 else { return false }
        return isAllowed(v)
    }

    static func isAllowed(_ v: UInt8) -> Bool {
        switch v {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "#"):
            return true
        default:
            return false
        }
    }

    public var description: String { rawValue }
    public static func < (a: ClientOrderID, b: ClientOrderID) -> Bool { a.rawValue < b.rawValue }
}
