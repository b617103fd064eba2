import CastorHTTP
import Dispatch
import GeminiProtocol
import Synchronization

/// The one path by which signed requests for one API key reach Gemini: a FIFO with exactly
/// one request in flight.
///
/// Gemini rejects a nonce that is not above the key's previous one, and HTTP requests can
/// overtake each other on the wire (API.md §2.3, §8.1). So the nonce is taken and the
/// request signed only when it is handed to HTTP, and the next one is not handed over
/// until the previous one has completed: nonce order is wire order is arrival order.
///
/// Each request has a deadline by which it must have been *sent*; one still queued then is
/// failed with `.expired` and never signed or sent late. A `400 InvalidNonce` reply means
/// the request was certainly not executed, so the nonce source is moved forward and the
/// request re-signed and sent once more, still at the head of the queue. Nothing else is
/// retried here: retry and rate policy belong to the caller, informed by
/// `GeminiClientError.mayHaveExecuted`.
///
/// Create one per API key and share it; two senders for one key would race each other.
public final class PrivateRequestSender: @unchecked Sendable {
    /// How long a request may wait in the queue when the caller gives no deadline.
    public static let defaultQueueDeadline: DispatchTimeInterval = .seconds(5)

    private let http: HTTPClient
    private let venue: GeminiVenue
    private let signer: GeminiSigner
    private let nonces: NonceSource
    private let requestTimeout: Duration?
    /// The HTTP client's serial queue: the sender's state is confined to it, and a
    /// signed request goes from the caller's queue to libcurl's write in at most one hop
    /// (`HTTPClient.executeOnQueue`); none when the caller already runs on it.
    private let queue: DispatchQueue
    /// Marks `queue` as this sender's, so `send` can tell it is already running there.
    private let token: UInt64
    private static let queueKey = DispatchSpecificKey<UInt64>()
    private static let tokens = Atomic<UInt64>(0)

    // Confined to `queue`: every access below happens on it (checked at entry), which is
    // what makes the `@unchecked Sendable` sound.
    private var pending: [QueuedWork] = []
    private var inFlight = false
    private var nextID: UInt64 = 0
    /// The lease holding the slot, if an exclusive operation (not a request) has it.
    private var activeLeaseID: UInt64?
    /// When `activeLeaseID` was granted.
    private var leaseGrantedAt = DispatchTime.now()
    /// How long a lease keeps the slot once a cancel is waiting (see `send`).
    private let leasePreemptAfter: DispatchTimeInterval
    /// Set by `retire`: nothing is signed any more.
    private var retired = false
    /// `retire` callers waiting for the request in flight to finish.
    private var retirementWaiters: [(queue: DispatchQueue, body: @Sendable () -> Void)] = []

    /// - Parameters:
    ///   - signer: the key's credentials; its `nonceFormat` must match `nonces.format`.
    ///   - nonces: the key's only nonce source.
    ///   - requestTimeout: HTTP deadline once sent; nil = the HTTP client's default.
    ///   - leasePreemptAfter: how long an exclusive lease may keep a cancel waiting.
    public init(
        http: HTTPClient, venue: GeminiVenue, signer: GeminiSigner, nonces: NonceSource,
        requestTimeout: Duration? = nil, leasePreemptAfter: DispatchTimeInterval = .seconds(1)
    ) {
        self.leasePreemptAfter = leasePreemptAfter
        precondition(signer.nonceFormat == nonces.format, "signer and nonce source must use the same nonce format")
        self.http = http
        self.queue = http.queue
        token = Self.tokens.add(1, ordering: .relaxed).newValue
        // A later sender on the same queue overwrites the mark; this one then falls back
        // to an async hop, which is still correct, only slower.
        queue.setSpecific(key: Self.queueKey, value: token)
        self.venue = venue
        self.signer = signer
        self.nonces = nonces
        self.requestTimeout = requestTimeout
    }

    /// The API key name (safe to log).
    public var apiKey: String { signer.credentials.key }

    /// Queues a signed `POST path`; `completion` runs once on `queue` with the HTTP
    /// response (any status except an `InvalidNonce` that was retried) or the error.
    ///
    /// - Parameters:
    ///   - fields: payload fields after `request` and `nonce`, in order.
    ///   - deadline: latest time the request may be handed to HTTP; default now + 5 s.
    ///   - preemptsLease: a cancel. An exclusive lease (the order-events handshake, which
    ///     may hold the slot for a whole connect, TLS and upgrade) keeps it waiting at most
    ///     `leasePreemptAfter`, then gives the slot up: a handshake whose nonce the cancel
    ///     overtakes is refused and retried, a cancel held back for seconds may cost money.
    public func send(
        path: String,
        fields: [(String, PayloadValue)] = [],
        deadline: DispatchTime? = nil,
        preemptsLease: Bool = false,
        on completionQueue: DispatchQueue,
        completion: @escaping @Sendable (Result<HTTPResponse, GeminiClientError>) -> Void
    ) {
        let deadline = deadline ?? .now() + Self.defaultQueueDeadline
        let fieldList = FieldList(fields)
        let work = QueuedWork.request(PendingRequest(
            id: 0, path: path, fields: fieldList, deadline: deadline, preemptsLease: preemptsLease,
            completionQueue: completionQueue, completion: completion))
        // On the tick-to-order path the engine calls from the HTTP client's own queue (it
        // shares it): enqueue in place, so the request is signed and written to the
        // socket before this returns instead of after a thread wake-up.
        if isOnQueue {
            enqueue(work)
        } else {
            queue.async { self.enqueue(work) }
        }
    }

    private var isOnQueue: Bool { DispatchQueue.getSpecific(key: Self.queueKey) == token }

    /// Runs an exclusive operation in this key's nonce sequence: a signed request that does
    /// not go through HTTP, such as the `/v1/order/events` WebSocket upgrade.
    ///
    /// The operation queues behind earlier requests like any request; at its turn it takes
    /// the one in-flight slot, draws the next nonce and calls `body` with a `NonceLease`.
    /// No other request is signed until the lease is released (`lease.release()`, once the
    /// upgrade was answered), so the handshake's nonce is neither overtaken by, nor
    /// overtakes, a REST request's on the wire: on a counter-nonce key either would be
    /// rejected. A lease not released within `maximumHold` is released automatically so a
    /// lost callback cannot stall the key's REST traffic forever.
    ///
    /// - Parameters:
    ///   - deadline: latest time the operation may start; default now + 5 s. Past it,
    ///     `body` gets `.expired(endpoint: "exclusive")` and no nonce is drawn.
    ///   - maximumHold: how long the lease may hold the slot.
    ///   - queue: where `body` runs.
    ///   - body: gets the lease, or why there is none (expired, nonce source failure).
    public func withNonce(
        deadline: DispatchTime? = nil,
        maximumHold: DispatchTimeInterval = .seconds(30),
        on completionQueue: DispatchQueue,
        _ body: @escaping @Sendable (Result<NonceLease, GeminiClientError>) -> Void
    ) {
        let deadline = deadline ?? .now() + Self.defaultQueueDeadline
        queue.async {
            self.enqueue(.exclusive(ExclusiveOperation(
                id: 0, deadline: deadline, maximumHold: maximumHold, completionQueue: completionQueue, body: body)))
        }
    }

    /// Retires the sender for good, so that another sender (another engine) may take over
    /// the key: queued requests and operations fail at once with `.expired` and later ones
    /// too, without drawing a nonce; `completion` runs on `completionQueue` once no signed
    /// request is in flight any more (a request in flight may still draw one nonce for its
    /// single InvalidNonce retry). From then on this sender never draws another nonce.
    ///
    /// An exclusive lease still held does not delay `completion`: its nonce was drawn when
    /// it was granted, and its release draws none.
    public func retire(on completionQueue: DispatchQueue, completion: @escaping @Sendable () -> Void) {
        queue.async {
            self.retired = true
            let queued = self.pending
            self.pending.removeAll()
            for work in queued { work.expire() }
            self.retirementWaiters.append((completionQueue, completion))
            self.notifyRetirementIfQuiet()
        }
    }

    /// Runs the `retire` completions once no request (as opposed to a lease) is in flight.
    private func notifyRetirementIfQuiet() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard retired, !inFlight || activeLeaseID != nil, !retirementWaiters.isEmpty else { return }
        let waiters = retirementWaiters
        retirementWaiters.removeAll()
        for waiter in waiters { waiter.queue.async(execute: waiter.body) }
    }

    private func enqueue(_ work: QueuedWork) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !retired else {
            work.expire()
            return
        }
        var work = work
        nextID += 1
        work.id = nextID
        pending.append(work)
        let id = work.id
        if work.preemptsLease, activeLeaseID != nil { schedulePreemption() }
        pump()
        // Fails the request at its deadline if it is still waiting, rather than when its
        // turn comes: a caller should not wait for a slow head to learn it is too late.
        // Armed only when it did not leave at once (no timer on the hot path).
        guard pending.contains(where: { $0.id == id }) else { return }
        queue.asyncAfter(deadline: work.deadline) { self.expire(id: id) }
    }

    private func expire(id: UInt64) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let index = pending.firstIndex(where: { $0.id == id }) else { return }
        pending.remove(at: index).expire()
    }

    /// Starts the head of the queue if nothing is in flight.
    private func pump() {
        dispatchPrecondition(condition: .onQueue(queue))
        defer { notifyRetirementIfQuiet() }
        while !inFlight, !pending.isEmpty {
            let work = pending.removeFirst()
            if DispatchTime.now() >= work.deadline {
                work.expire()
                continue
            }
            switch work {
            case .request(let request): transmit(request, isRetry: false)
            case .exclusive(let operation): grant(operation)
            }
        }
    }

    /// Hands the slot and a fresh nonce to an exclusive operation.
    private func grant(_ operation: ExclusiveOperation) {
        dispatchPrecondition(condition: .onQueue(queue))
        let nonce: Nonce
        do {
            nonce = try nonces.next()
        } catch {
            operation.finish(.failure(.nonce(error)))
            return
        }
        inFlight = true
        activeLeaseID = operation.id
        leaseGrantedAt = .now()
        let id = operation.id
        let lease = NonceLease(nonce: nonce, signer: signer) { [weak self] nonceRejected in
            guard let self else { return }
            self.queue.async { self.released(leaseID: id, nonceRejected: nonceRejected) }
        }
        queue.asyncAfter(deadline: .now() + operation.maximumHold) { lease.release() }
        operation.finish(.success(lease))
        if pending.contains(where: \.preemptsLease) { schedulePreemption() }
    }

    /// Takes the slot back from the active lease once it has held it `leasePreemptAfter`,
    /// if a cancel is still waiting then.
    private func schedulePreemption() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let id = activeLeaseID else { return }
        queue.asyncAfter(deadline: leaseGrantedAt + leasePreemptAfter) { [weak self] in
            guard let self, self.activeLeaseID == id, self.pending.contains(where: \.preemptsLease) else { return }
            self.released(leaseID: id, nonceRejected: false)
        }
    }

    private func released(leaseID: UInt64, nonceRejected: Bool) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard activeLeaseID == leaseID else { return }
        activeLeaseID = nil
        inFlight = false
        // Same reasoning as a REST InvalidNonce: the key's mark is ahead of ours.
        if nonceRejected { nonces.skip() }
        pump()
    }

    /// Signs with a fresh nonce and hands the request to HTTP; the in-flight slot stays
    /// taken until the reply (or its single InvalidNonce retry) is done.
    @discardableResult
    private func transmit(_ request: PendingRequest, isRetry: Bool) -> Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        let nonce: Nonce
        do {
            nonce = try nonces.next()
        } catch {
            request.finish(.failure(.nonce(error)))
            return false
        }
        inFlight = true
        let signed = signer.signedHeaders(path: request.path, fields: request.fields.pairs, nonce: nonce)
        let httpRequest = HTTPRequest(
            method: .post, url: venue.restURL(path: request.path), headers: signed.headers,
            timeout: requestTimeout, isIdempotent: false)
        http.executeOnQueue(httpRequest, on: queue) { result in
            self.completed(request, result: result, isRetry: isRetry)
        }
        return true
    }

    private func completed(_ request: PendingRequest, result: Result<HTTPResponse, HTTPError>, isRetry: Bool) {
        dispatchPrecondition(condition: .onQueue(queue))
        inFlight = false
        switch result {
        case .failure(let error):
            request.finish(.failure(.transport(error)))
        case .success(let response):
            // Past its deadline the retry would be a late send: surface the rejection instead.
            if !isRetry, response.status == 400, DispatchTime.now() < request.deadline,
               GeminiErrorBody.classify(body: response.body)?.classification(httpStatus: 400) == .retryWithNewNonce {
                // Certainly not executed. Our own nonces only increase, so the key was used
                // elsewhere or its mark is ahead of the clock: jump past it and retry once.
                nonces.skip()
                if transmit(request, isRetry: true) { return }
            } else {
                request.finish(.success(response))
            }
        }
        pump()
    }
}

/// One place in the per-key FIFO.
private enum QueuedWork {
    case request(PendingRequest)
    case exclusive(ExclusiveOperation)

    var preemptsLease: Bool {
        if case .request(let r) = self { r.preemptsLease } else { false }
    }

    var id: UInt64 {
        get {
            switch self {
            case .request(let r): r.id
            case .exclusive(let o): o.id
            }
        }
        set {
            switch self {
            case .request(var r): r.id = newValue; self = .request(r)
            case .exclusive(var o): o.id = newValue; self = .exclusive(o)
            }
        }
    }

    var deadline: DispatchTime {
        switch self {
        case .request(let r): r.deadline
        case .exclusive(let o): o.deadline
        }
    }

    func expire() {
        switch self {
        case .request(let r): r.finish(.failure(.expired(endpoint: r.path)))
        case .exclusive(let o): o.finish(.failure(.expired(endpoint: "exclusive")))
        }
    }
}

/// A queued `withNonce` operation.
private struct ExclusiveOperation {
    var id: UInt64
    let deadline: DispatchTime
    let maximumHold: DispatchTimeInterval
    let completionQueue: DispatchQueue
    let body: @Sendable (Result<NonceLease, GeminiClientError>) -> Void

    func finish(_ result: Result<NonceLease, GeminiClientError>) {
        let body = body
        completionQueue.async { body(result) }
    }
}

/// The key's request slot and one nonce, held by an exclusive operation
/// (`PrivateRequestSender.withNonce`). Release it exactly when the signed operation has
/// been answered; later releases are ignored.
public final class NonceLease: Sendable {
    /// The nonce drawn for this operation: above every nonce sent before it, below every
    /// nonce sent after it.
    public let nonce: Nonce
    private let signer: GeminiSigner
    private let onRelease: @Sendable (Bool) -> Void
    private let released = Mutex(false)

    init(nonce: Nonce, signer: GeminiSigner, onRelease: @escaping @Sendable (Bool) -> Void) {
        self.nonce = nonce
        self.signer = signer
        self.onRelease = onRelease
    }

    /// The X-GEMINI-* headers of a WebSocket upgrade to `path`, signed with `nonce` by
    /// the sender's key (the secret never leaves the sender).
    public func webSocketHandshakeHeaders(path: String) -> SignedRequest {
        signer.webSocketHandshakeHeaders(path: path, nonce: nonce)
    }

    /// Frees the slot for the next request.
    /// - Parameter nonceRejected: the operation was refused with `InvalidNonce`; the
    ///   sender then moves its nonce source forward, as after a REST InvalidNonce.
    public func release(nonceRejected: Bool = false) {
        let first = released.withLock { done in
            defer { done = true }
            return !done
        }
        if first { onRelease(nonceRejected) }
    }
}

/// One queued request and its caller.
private struct PendingRequest {
    var id: UInt64
    let path: String
    let fields: FieldList
    let deadline: DispatchTime
    let preemptsLease: Bool
    let completionQueue: DispatchQueue
    let completion: @Sendable (Result<HTTPResponse, GeminiClientError>) -> Void

    func finish(_ result: Result<HTTPResponse, GeminiClientError>) {
        let completion = completion
        completionQueue.async { completion(result) }
    }
}

/// Payload fields as a Sendable value (tuples cannot conform).
struct FieldList: Sendable {
    let names: [String]
    let values: [PayloadValue]

    init(_ pairs: [(String, PayloadValue)]) {
        names = pairs.map(\.0)
        values = pairs.map(\.1)
    }

    var pairs: [(String, PayloadValue)] { Array(zip(names, values)) }
}
