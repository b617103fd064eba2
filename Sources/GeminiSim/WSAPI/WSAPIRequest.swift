/// One client frame of the new WebSocket API: `{"id":…,"method":"…","params":…}`
/// (WS-API.md §2.1).
struct WSAPIRequest: Sendable {
    /// The client's correlation id as sent (a string or a number, echoed with its JSON
    /// type); `null` when the frame has none or could not be read.
    let id: GeminiJSON
    let method: String
    /// `params` as sent; nil when absent.
    let params: GeminiJSON?

    /// Why a frame is not a request, with the id to answer with (when it could be read).
    struct Malformed: Error, Sendable {
        let id: GeminiJSON
    }

    /// Parses a text frame. A frame that is not a JSON object, or whose `id` is not a
    /// string or a number, or whose `method` is not a string, is malformed.
    static func parse(_ text: String) throws(Malformed) -> WSAPIRequest {
        let json: GeminiJSON
        do { json = try JSONParser.parse(text) } catch { throw Malformed(id: .null) }
        guard case .object = json else { throw Malformed(id: .null) }
        let id = json["id"] ?? .null
        switch id {
        case .string, .number, .null: break
        default: throw Malformed(id: .null)
        }
        guard let method = json["method"]?.stringValue else { throw Malformed(id: id) }
        let params = json["params"].flatMap { $0 == .null ? nil : $0 }
        return WSAPIRequest(id: id, method: method, params: params)
    }

    /// The method with the subscription methods' upper-case spelling folded in
    /// (`SUBSCRIBE` → `subscribe`); every other method is lower case only.
    var normalizedMethod: String {
        switch method {
        case "SUBSCRIBE": "subscribe"
        case "UNSUBSCRIBE": "unsubscribe"
        case "LIST_SUBSCRIPTIONS": "list_subscriptions"
        default: method
        }
    }

    /// The stream names of a (un)subscribe; nil unless `params` is an array of strings.
    var streamNames: [String]? {
        guard let items = params?.arrayValue else { return nil }
        var names: [String] = []
        for item in items {
            guard let name = item.stringValue else { return nil }
            names.append(name)
        }
        return names
    }

    /// REQUEST_WEIGHT of this request: 1, or one per stream of a (un)subscribe.
    var weight: Int {
        switch normalizedMethod {
        case "subscribe", "unsubscribe": max(1, streamNames?.count ?? 1)
        default: 1
        }
    }
}
