import CastorCore
import CastorHTTP
import Dispatch
import GeminiProtocol

/// Signs and transmits one API key's private requests, one at a time. It keeps no queue:
/// ordering belongs to the key's one ordered queue (the engine's `RequestScheduler`),
/// which hands it one request at a time; a request arriving while another is in flight
/// is refused unsigned (`.unsent(_, .busy)`), never queued.
///
/// Gemini rejects a nonce that is not above the key's previous one, and HTTP requests can
/// overtake each other on the wire (API.md §2.3, §8.1). So the nonce is taken and the
/// request signed only as it is handed to HTTP: nonce order is wire order is the
/// caller's order. A `400 InvalidNonce` reply means the request was certainly not
/// executed, so the nonce source is moved forward and the request re-signed and sent once
/// more, unless its resend deadline has passed. Nothing else is retried here: retry and
/// rate policy belong to the caller, informed by `GeminiClientError.mayHaveExecuted`.
///
/// Create one per API key; two senders for one key would race each other.
///
/// Queue-confined to `queue` (the HTTP client's, which is the engine queue in the daemon,
/// so a signed request goes from the strategy's decision to libcurl's write with no hop):
/// every method must be called on it, which is what makes the `@unchecked Sendable` sound.
public final class PrivateRequestSender: @unchecked Sendable {
    /// The queue every call must be made on, and where HTTP runs.
    public let queue: DispatchQueue
    private let http: HTTPClient
    private let venue: GeminiVenue
    private let signer: GeminiSigner
    private let nonces: NonceSource
    private let requestTimeout: Duration?
    /// Reads "now" for resend deadlines (the engine's clock in the daemon).
    private let clock: EngineClock

    /// A signed request is in flight (until its reply, or its single InvalidNonce retry's).
    private var inFlight = false
    /// Set by `retire`: nothing is signed any more.
    private var retired = false
    /// `retire` callers waiting for the request in flight to finish.
    private var retirementWaiters: [(queue: DispatchQueue, body: @Sendable () -> Void)] = []

    /// - Parameters:
    ///   - signer: the key's credentials; its `nonceFormat` must match `nonces.format`.
    ///   - nonces: the key's only nonce source.
    ///   - requestTimeout: HTTP deadline once sent; nil = the HTTP client's default.
    ///   - clock: the clock resend deadlines are read on.
    public init(http: HTTPClient, venue: GeminiVenue, signer: GeminiSigner, nonces: NonceSource,
                requestTimeout: Duration? = nil, clock: EngineClock = .system) {
        precondition(signer.nonceFormat == nonces.format, "signer and nonce source must use the same nonce format")
        self.http = http
        self.queue = http.queue
        self.venue = venue
        self.signer = signer
        self.nonces = nonces
        self.requestTimeout = requestTimeout
        self.clock = clock
    }

    /// The API key name (safe to log).
    public var apiKey: String { signer.credentials.key }

    /// True while a signed request is in flight: a `send` now would be refused.
    public var isBusy: Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        return inFlight
    }

    /// Signs a `POST path` with the next nonce and hands it to HTTP at once; `completion`
    /// runs once on `completionQueue` with the HTTP response (any status except an
    /// `InvalidNonce` that was retried) or the error.
    ///
    /// - Parameters:
    ///   - fields: payload fields after `request` and `nonce`, in order.
    ///   - resendDeadlineMs: on the sender's clock, the latest time the single
    ///     InvalidNonce resend may leave; past it the rejection is returned instead (no
    ///     resend passes its deadline). Nil: no limit.
    public func send(
        path: String,
        fields: [(String, PayloadValue)] = [],
        resendDeadlineMs: Int64? = nil,
        on completionQueue: DispatchQueue,
        completion: @escaping @Sendable (Result<HTTPResponse, GeminiClientError>) -> Void
    ) {
        dispatchPrecondition(condition: .onQueue(queue))
        let request = PendingRequest(path: path, fields: fields, resendDeadlineMs: resendDeadlineMs,
                                     completionQueue: completionQueue, completion: completion)
        if let refusal = refusal { return request.finish(.failure(.unsent(endpoint: path, refusal))) }
        transmit(request, isRetry: false)
    }

    /// Signs a WebSocket upgrade to `path` (the `/v1/order/events` handshake) with the next
    /// nonce: a signed operation that does not go through HTTP. Call it while holding the
    /// key's slot (`KeySlotLender`), so no request is signed until the upgrade is answered;
    /// refused like `send` while a request is in flight.
    public func signWebSocketHandshake(path: String) -> Result<SignedRequest, GeminiClientError> {
        dispatchPrecondition(condition: .onQueue(queue))
        if let refusal = refusal { return .failure(.unsent(endpoint: path, refusal)) }
        do {
            return .success(signer.webSocketHandshakeHeaders(path: path, nonce: try nonces.next()))
        } catch {
            return .failure(.nonce(error))
        }
    }

    /// Signs the upgrade to the new WebSocket API (`wss://ws.gemini.com`, WS-API.md §1.4):
    /// the nonce is whole epoch seconds drawn from the key's one nonce sequence
    /// (`NonceSource.nextWholeSecond`), so it stays above every REST nonce before it and
    /// below every one after. Same rules as `signWebSocketHandshake`: hold the key's slot.
    public func signWebSocketAPIHandshake() -> Result<SignedRequest, GeminiClientError> {
        dispatchPrecondition(condition: .onQueue(queue))
        if let refusal = refusal { return .failure(.unsent(endpoint: "/", refusal)) }
        do {
            return .success(signer.newWebSocketAPIHeaders(nonce: try nonces.nextWholeSecond()))
        } catch {
            return .failure(.nonce(error))
        }
    }

    /// An upgrade signed by `signWebSocketHandshake` was refused with `InvalidNonce`: the
    /// key's mark is ahead of ours (as after a REST InvalidNonce), so the nonce source moves
    /// forward.
    public func handshakeNonceRejected() {
        dispatchPrecondition(condition: .onQueue(queue))
        nonces.skip()
    }

    /// Retires the sender for good, so that another sender (another engine) may take over
    /// the key: later requests are refused with `.unsent(_, .retired)` without drawing a
    /// nonce; `completion` runs on `completionQueue` once no signed request is in flight
    /// any more (a request in flight may still draw one nonce for its single InvalidNonce
    /// retry). From then on this sender never draws another nonce.
    public func retire(on completionQueue: DispatchQueue, completion: @escaping @Sendable () -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        retired = true
        retirementWaiters.append((completionQueue, completion))
        notifyRetirementIfQuiet()
    }

    private var refusal: SenderRefusal? {
        if retired { return .retired }
        if inFlight { return .busy }
        return nil
    }

    private func notifyRetirementIfQuiet() {
        guard retired, !inFlight, !retirementWaiters.isEmpty else { return }
        let waiters = retirementWaiters
        retirementWaiters.removeAll()
        for waiter in waiters { waiter.queue.async(execute: waiter.body) }
    }

    /// Signs with a fresh nonce and hands the request to HTTP; the sender stays busy until
    /// the reply (or its single InvalidNonce retry) is done.
    @discardableResult
    private func transmit(_ request: PendingRequest, isRetry: Bool) -> Bool {
        let nonce: Nonce
        do {
            nonce = try nonces.next()
        } catch {
            request.finish(.failure(.nonce(error)))
            return false
        }
        inFlight = true
        let signed = signer.signedHeaders(path: request.path, fields: request.fields, nonce: nonce)
        let httpRequest = HTTPRequest(
            method: .post, url: venue.restURL(path: request.path), headers: signed.headers,
            timeout: requestTimeout, isIdempotent: false)
        TickTrace.shared.mark(.encoded)
        http.executeOnQueue(httpRequest, on: queue) { result in
            self.completed(request, result: result, isRetry: isRetry)
        }
        // libcurl wrote the request on its reused connection inside that call.
        TickTrace.shared.mark(.written)
        TickTrace.shared.commit()
        return true
    }

    private func completed(_ request: PendingRequest, result: Result<HTTPResponse, HTTPError>, isRetry: Bool) {
        dispatchPrecondition(condition: .onQueue(queue))
        inFlight = false
        defer { notifyRetirementIfQuiet() }
        switch result {
        case .failure(let error):
            request.finish(.failure(.transport(error)))
        case .success(let response):
            if !isRetry, response.status == 400, request.mayResend(at: clock.nowMs()),
               GeminiErrorBody.classify(body: response.body)?.classification(httpStatus: 400) == .retryWithNewNonce {
                // Certainly not executed. Our own nonces only increase, so the key was used
                // elsewhere or its mark is ahead of the clock: jump past it and retry once.
                // A retired sender still sends this one: `retire` waits for it.
                nonces.skip()
                if transmit(request, isRetry: true) { return }
            } else {
                request.finish(.success(response))
            }
        }
    }
}

/// The request in flight and its caller.
private struct PendingRequest {
    let path: String
    let fields: [(String, PayloadValue)]
    let resendDeadlineMs: Int64?
    let completionQueue: DispatchQueue
    let completion: @Sendable (Result<HTTPResponse, GeminiClientError>) -> Void

    func mayResend(at nowMs: Int64) -> Bool { resendDeadlineMs.map { nowMs <= $0 } ?? true }

    func finish(_ result: Result<HTTPResponse, GeminiClientError>) {
        let completion = completion
        completionQueue.async { completion(result) }
    }
}
