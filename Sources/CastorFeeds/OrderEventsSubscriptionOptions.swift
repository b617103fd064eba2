import GeminiProtocol

/// What to ask `/v1/order/events` for (API.md §6.1); builds the query string.
///
/// `heartbeat=true` is always sent: the docs contradict themselves on its default and the
/// feed's liveness check depends on heartbeats. Any event-type filter always includes
/// `initial`, without which there is no active-order snapshot to reconcile from.
public struct OrderEventsSubscriptionOptions: Sendable, Hashable {
    /// Only these symbols; sent lower-case (`btcusd`), as REST spells them. Empty = all.
    public var symbolFilter: [String]
    /// Only orders of these API sessions (`UI` = website). Empty = all.
    public var apiSessionFilter: [String]
    /// Only these event types; `initial` is added if missing. Empty = all types.
    public var eventTypeFilter: [OrderEventType]

    public init(symbolFilter: [String] = [], apiSessionFilter: [String] = [], eventTypeFilter: [OrderEventType] = []) {
        self.symbolFilter = symbolFilter
        self.apiSessionFilter = apiSessionFilter
        self.eventTypeFilter = eventTypeFilter
    }

    /// The query parameters in the order sent (repeated names for several values).
    public var queryItems: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = [("heartbeat", "true")]
        items += symbolFilter.map { ("symbolFilter", $0.lowercased()) }
        items += apiSessionFilter.map { ("apiSessionFilter", $0) }
        if !eventTypeFilter.isEmpty {
            var types = eventTypeFilter.map(\.wireValue)
            if !types.contains("initial") { types.insert("initial", at: 0) }
            var seen = Set<String>()
            items += types.filter { seen.insert($0).inserted }.map { ("eventTypeFilter", $0) }
        }
        return items
    }

    /// `baseURL` (e.g. `GeminiVenue.orderEventsURL`) with the query appended.
    public func url(base baseURL: String) -> String {
        baseURL + "?" + queryItems.map { "\($0.name)=\(Self.percentEncoded($0.value))" }.joined(separator: "&")
    }

    /// RFC 3986 unreserved characters pass; everything else is %-escaped.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
            }
        }
        return out
    }
}
