/// What became of one `order.place`, decided in the engine's turn before its events go out.
enum WSAPIPlacement: Sendable, Equatable {
    /// Accepted (it may already be filled or cancelled by its time in force): reply 200.
    case placed(orderId: Int64)
    /// Refused by the venue: reply 400/-2010 with this reason.
    case refused(reason: String)
    /// Placed, and the close-after-place fault closed the connection before any reply.
    case connectionClosed(orderId: Int64)

    /// The reply frame for `id` (nil once the connection is closed).
    func reply(id: GeminiJSON) -> String? {
        switch self {
        case .placed: WSAPIWireFormat.ok(id: id)
        case .refused(let reason): WSAPIWireFormat.error(id: id, .orderRejected(reason))
        case .connectionClosed: nil
        }
    }
}
