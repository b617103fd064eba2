import CastorTrading
import CastorWebSocket
import GeminiClient
import GeminiProtocol

/// A WebSocket upgrade signed in sequence with the key's REST requests: the key's one
/// request slot is borrowed (`KeySlotLender`), the headers are signed while it is held,
/// and it is given back once the upgrade is answered or abandoned, so no REST request is
/// signed in between and nonces never go back. Shared by the legacy order-events feed and
/// the new API's account socket, which differ only in how they sign.
enum SignedHandshake {
    /// Borrows the slot, signs with `sign`, and hands `done` the connect request (or why
    /// there is none).
    /// - Parameters:
    ///   - holdMs: the longest the slot may be held: connect + TLS + upgrade.
    ///   - isInvalidNonce: whether a failed upgrade was refused for its nonce; the sender
    ///     then moves its nonces forward.
    static func prepare(url: WebSocketURL, keySlot: any KeySlotLender, sender: PrivateRequestSender, waitMs: Int64,
                        holdMs: Int64, sign: @escaping (PrivateRequestSender) -> Result<SignedRequest, GeminiClientError>,
                        isInvalidNonce: @escaping @Sendable (FeedHandshakeOutcome) -> Bool,
                        _ done: @escaping (Result<FeedConnectRequest, FeedConnectFailure>) -> Void) {
        let box = UncheckedBox((done, sign))
        keySlot.borrowSlot(waitMs: waitMs, maximumHoldMs: holdMs) { granted in
            let (done, sign) = box.value
            let loan: KeySlotLoan
            switch granted {
            case .success(let l): loan = l
            case .failure(let refusal):
                return done(.failure(.retry("no request slot for the handshake: \(refusal)")))
            }
            switch sign(sender) {
            case .success(let signed):
                done(.success(FeedConnectRequest(url: url, headers: signed.headers) { outcome in
                    if isInvalidNonce(outcome) { sender.handshakeNonceRejected() }
                    loan.release()
                }))
            case .failure(.nonce(let error)):
                loan.release()
                done(.failure(.fatal(.nonceUnavailable(error.description))))
            case .failure(let error):
                loan.release()
                done(.failure(.retry("the handshake could not be signed: \(error)")))
            }
        }
    }
}
