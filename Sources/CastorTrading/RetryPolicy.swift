import CastorCore

/// The kind of REST request, which decides both its queue priority and how a failure is
/// handled. Raw value order is priority order (cancels first).
public enum RequestKind: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// `/v1/order/cancel`: idempotent, most urgent (it reduces risk).
    case cancel = 0
    /// `/v1/order/new`: never repeated blindly.
    case newOrder = 1
    /// Status, orders, mytrades, balances, public data: idempotent reads.
    case query = 2

    public static func < (a: RequestKind, b: RequestKind) -> Bool { a.rawValue < b.rawValue }
}

/// What to do after a failed request.
public struct RetryDecision: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        /// Send the same request again at this time (idempotent requests only).
        case retry(atMs: Int64)
        /// Send again now with a fresh nonce (the sender bumps it); allowed once.
        case retryWithNewNonce
        /// New orders only: look the order up by client order id at this time; only a
        /// "not found" answer may lead to a resend (`RetryPolicy.afterLookupNotFound`).
        case lookupBeforeResend(atMs: Int64)
        /// Stop; report the failure.
        case giveUp
    }

    public let action: Action
    /// Maintenance: submit no new orders before this time.
    public let haltNewOrdersUntilMs: Int64?
    /// Rate limited: pause the whole rate group (public or private) until this time.
    public let pauseGroupUntilMs: Int64?
    public let explanation: String
}

/// After a lookup proved a failed new order absent: send it again, or give up.
public enum ResendDecision: Sendable, Hashable {
    case resend(atMs: Int64)
    case giveUp(reason: VenueReason?, explanation: String)
}

/// Per-error retry rules (§4.3 mapping, §5, §8.2).
///
/// * 429 / `RateLimit`: back off (and pause the group), then retry.
/// * 5xx / `System`, timeouts, network errors: retry with backoff (idempotent requests).
/// * `Maintenance` / 503: halt new orders for `maintenanceHaltMs`; retry other requests after it.
/// * `InvalidNonce`: retry once with a new nonce.
/// * Rejections on the merits (`InsufficientFunds`, `InvalidPrice`, `InvalidQuantity`, …)
///   and configuration errors (`MissingRole`, `InvalidSignature`, …): give up and report.
/// * `/v1/order/new`: whatever the error (except an authentication refusal, which cannot
///   have executed), the order is looked up by client order id first; only when the
///   lookup says "not found" does `afterLookupNotFound` decide between a resend (same
///   client order id, retryable errors) and giving up (non-retryable reasons).
public struct RetryPolicy: Sendable, Hashable {
    public var backoff: Backoff
    /// Idempotent requests are tried at most this many times in all.
    public var maxAttempts: Int
    /// A failed new order is resent at most this many times (after lookups).
    public var maxResends: Int
    public var maintenanceHaltMs: Int64
    /// Wait before looking up an uncertain new order, so a request still in flight inside
    /// the exchange has landed (lowers the chance of "not found" followed by the original).
    public var lookupDelayMs: Int64

    public init(backoff: Backoff = Backoff(), maxAttempts: Int = 8, maxResends: Int = 3,
                maintenanceHaltMs: Int64 = 60_000, lookupDelayMs: Int64 = 1_000) {
        self.backoff = backoff
        self.maxAttempts = maxAttempts
        self.maxResends = maxResends
        self.maintenanceHaltMs = maintenanceHaltMs
        self.lookupDelayMs = lookupDelayMs
    }

    /// - Parameters:
    ///   - attempt: retries already made for this request (0 on the first failure).
    ///   - nonceRetried: whether this request already had its one `InvalidNonce` retry.
    public func decide(_ failure: VenueFailure, kind: RequestKind, attempt: Int, nonceRetried: Bool = false,
                       now: Int64, rng: inout some RandomNumberGenerator) -> RetryDecision {
        let cls = failure.classification
        let halt: Int64? = cls == .halt ? now + maintenanceHaltMs : nil
        let pause: Int64? = cls == .backOff ? now + backoff.ceiling(attempt: attempt) : nil

        if kind == .newOrder {
            if cls == .fatalConfiguration {
                return RetryDecision(action: .giveUp, haltNewOrdersUntilMs: nil, pauseGroupUntilMs: nil,
                                     explanation: "authentication/configuration refused (\(failure)); cannot have executed")
            }
            if case .notSent = failure {
                // Certainly not received, but the resend still goes through a lookup so the
                // rule stays single: a new order is only repeated after "not found".
            }
            var at = now + lookupDelayMs + backoff.delay(attempt: attempt, using: &rng)
            if let halt { at = max(at, halt) }
            if let pause { at = max(at, pause) }
            return RetryDecision(action: .lookupBeforeResend(atMs: at), haltNewOrdersUntilMs: halt,
                                 pauseGroupUntilMs: pause,
                                 explanation: "new order failed (\(failure)); look up by client_order_id before any resend")
        }

        switch cls {
        case .retryWithNewNonce:
            if !nonceRetried {
                return RetryDecision(action: .retryWithNewNonce, haltNewOrdersUntilMs: nil, pauseGroupUntilMs: nil,
                                     explanation: "InvalidNonce: retry once with a new nonce")
            }
            return RetryDecision(action: .giveUp, haltNewOrdersUntilMs: nil, pauseGroupUntilMs: nil,
                                 explanation: "InvalidNonce again after a nonce retry")
        case .fatalConfiguration, .reject, .orderNotFound:
            return RetryDecision(action: .giveUp, haltNewOrdersUntilMs: nil, pauseGroupUntilMs: nil,
                                 explanation: "not retryable: \(failure)")
        case .backOff, .retryIdempotentOnly, .halt, nil:
            guard attempt + 1 < maxAttempts else {
                return RetryDecision(action: .giveUp, haltNewOrdersUntilMs: halt, pauseGroupUntilMs: pause,
                                     explanation: "gave up after \(attempt + 1) attempts: \(failure)")
            }
            var at = now + backoff.delay(attempt: attempt, using: &rng)
            if let halt { at = max(at, halt) }
            if let pause { at = max(at, pause) }
            return RetryDecision(action: .retry(atMs: at), haltNewOrdersUntilMs: halt, pauseGroupUntilMs: pause,
                                 explanation: "retryable: \(failure)")
        }
    }

    /// A lookup proved a failed new order absent; `lastFailure` is the send's failure.
    ///
    /// - Parameters:
    ///   - resends: resends already made for this intent.
    ///   - nonceResent: whether one of them was for `InvalidNonce`.
    public func afterLookupNotFound(lastFailure: VenueFailure, resends: Int, nonceResent: Bool,
                                    now: Int64, rng: inout some RandomNumberGenerator) -> ResendDecision {
        let reason = lastFailure.reason
        switch lastFailure.classification {
        case .retryWithNewNonce:
            return nonceResent
                ? .giveUp(reason: reason, explanation: "InvalidNonce again after a resend")
                : .resend(atMs: now)
        case .fatalConfiguration, .reject, .orderNotFound:
            return .giveUp(reason: reason, explanation: "refused by the exchange: \(lastFailure)")
        case .backOff, .retryIdempotentOnly, .halt, nil:
            guard resends < maxResends else {
                return .giveUp(reason: reason, explanation: "gave up after \(resends) resends: \(lastFailure)")
            }
            return .resend(atMs: now + backoff.delay(attempt: resends, using: &rng))
        }
    }
}
