import CastorTrading
import GeminiProtocol

/// How an order request sent over the account socket ended (WS-API.md §3.12, §5.2).
public enum WSAPIOrderEntryOutcome: Sendable {
    /// The order event that settles it (`NEW`, a fill, `CANCELED`…), as a snapshot.
    case done(OrderSnapshot)
    /// Refused by the exchange (a 4xx reply or a `REJECTED` event): not executed.
    case refused(WSAPIReply)
    /// Not written to the socket (it was down, or the write failed before any byte):
    /// certainly not received; the caller may use REST instead.
    case notSent(String)
    /// Sent, but no settling reply and event within the deadline, or the socket dropped
    /// after the send: it may have executed. Look it up (REST, by client order id) before
    /// anything is sent again.
    case ambiguous(WSAPIAmbiguity)
}

/// Why an order request's outcome is unknown.
public enum WSAPIAmbiguity: Sendable, Hashable, CustomStringConvertible {
    /// No settling reply and event within the deadline.
    case noAnswer(milliseconds: Int64)
    /// The socket closed after the request was written.
    case socketClosed
    /// The write failed part-way.
    case writeFailed(String)

    public var description: String {
        switch self {
        case .noAnswer(let ms): "no settling reply and order event within \(ms) ms"
        case .socketClosed: "the account socket closed after the request was sent"
        case .writeFailed(let why): "the write failed: \(why)"
        }
    }
}
