import FlyingFox

/// The query parameters of `/v1/order/events` (API.md §6.1). Each filter may be repeated
/// (`eventTypeFilter=fill&eventTypeFilter=closed`); comma-separated values are accepted too.
/// An empty filter lets everything through.
struct OrderEventsFilter: Sendable, Equatable {
    /// The event types a filter may name.
    static let eventTypes = ["initial", "accepted", "rejected", "booked", "fill", "cancelled", "cancel_rejected", "closed"]

    /// Lower-case symbols, as requested (and echoed in the ack).
    var symbols: [String] = []
    var apiSessions: [String] = []
    var eventTypes: [String] = []
    /// `heartbeat`: the docs contradict themselves on the default; the simulator follows the
    /// request page (`false`), so a client that forgets `heartbeat=true` sees no heartbeats.
    var heartbeat = false

    /// Reads the filters from `query`; `isSymbol` says whether a symbol exists.
    /// - Throws: a 400 `GeminiErrorReply` for an unknown symbol, event type or heartbeat value.
    init(query: [HTTPRequest.QueryItem], isSymbol: (String) -> Bool) throws(GeminiErrorReply) {
        func values(_ name: String) -> [String] {
            query.filter { $0.name == name }
                .flatMap { $0.value.split(separator: ",").map { String($0).trimmingSpaces } }
                .filter { !$0.isEmpty }
        }
        symbols = values("symbolFilter").map { $0.lowercased() }
        for symbol in symbols where !isSymbol(symbol) { throw .invalidSymbol(symbol) }
        apiSessions = values("apiSessionFilter")
        eventTypes = values("eventTypeFilter")
        for type in eventTypes where !Self.eventTypes.contains(type) {
            throw .badRequest("InvalidEventTypeFilter",
                              "Supplied value '\(type)' is not a valid event type; use one of \(Self.eventTypes.joined(separator: ", "))")
        }
        if let raw = query.last(where: { $0.name == "heartbeat" })?.value {
            switch raw.lowercased() {
            case "true", "1": heartbeat = true
            case "false", "0", "": heartbeat = false
            default: throw .badRequest("InvalidHeartbeat", "heartbeat must be true or false, got '\(raw)'")
            }
        }
    }

    /// Whether an event of `type` about `order` passes the filters.
    func admits(type: String, order: SimOrderSnapshot) -> Bool {
        if !eventTypes.isEmpty, !eventTypes.contains(type) { return false }
        if !symbols.isEmpty, !symbols.contains(order.symbolLowercased) { return false }
        if !apiSessions.isEmpty, !apiSessions.contains(order.apiSession) { return false }
        return true
    }
}
