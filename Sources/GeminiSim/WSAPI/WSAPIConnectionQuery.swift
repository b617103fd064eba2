import FlyingFox

/// The query of a WebSocket API upgrade, `GET /?snapshot=-1&cancelOnDisconnect=true`
/// (WS-API.md §1.3). Both parameters apply to the whole connection.
struct WSAPIConnectionQuery: Sendable, Equatable {
    /// What a differential-depth subscribe sends first.
    enum Snapshot: Sendable, Equatable {
        /// `snapshot` absent or 0: diffs only (the first frame is a plain diff, `U < u`).
        case none
        /// Any negative value: the full book.
        case full
        /// N > 0: the best N levels of each side.
        case top(Int)
    }

    var snapshot: Snapshot = .none
    /// Cancel the orders placed on this connection when it closes, for any reason.
    var cancelOnDisconnect = false

    init() {}

    /// Reads the query; unknown parameters are ignored (a browser-style cache buster must not
    /// break the upgrade). A malformed value is a 400 naming it.
    init(_ items: [HTTPRequest.QueryItem]) throws(WSAPIUpgradeRefusal) {
        if let raw = items.last(where: { $0.name == "snapshot" })?.value {
            guard let n = Int(raw) else {
                throw .badRequest("InvalidSnapshot", "snapshot must be an integer (-1 full book, 0 none, N the best N levels), got '\(raw)'")
            }
            snapshot = n < 0 ? .full : (n == 0 ? .none : .top(n))
        }
        if let raw = items.last(where: { $0.name == "cancelOnDisconnect" })?.value {
            switch raw.lowercased() {
            case "true", "1": cancelOnDisconnect = true
            case "false", "0", "": cancelOnDisconnect = false
            default: throw .badRequest("InvalidCancelOnDisconnect", "cancelOnDisconnect must be true or false, got '\(raw)'")
            }
        }
    }
}
