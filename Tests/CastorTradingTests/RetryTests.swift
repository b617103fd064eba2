import CastorCore
import CastorFeeds
import GeminiProtocol
import Testing
@testable import CastorTrading

@Suite struct RetryTests {
    func err(_ reason: GeminiReason, _ status: Int?) -> VenueFailure { .exchange(VenueRefusal(gemini: GeminiErrorBody(reason: reason, message: nil), httpStatus: status), httpStatus: status) }

    @Test func decisionsPerReason() {
        let p = RetryPolicy(backoff: Backoff(baseMs: 100, capMs: 1_000))
        var rng = SeededRandom(seed: 1)
        func action(_ f: VenueFailure, _ k: RequestKind, attempt: Int = 0, nonce: Bool = false) -> RetryDecision {
            p.decide(f, kind: k, attempt: attempt, nonceRetried: nonce, now: 1_000, rng: &rng)
        }
        func isRetry(_ d: RetryDecision) -> Bool { if case .retry(let at) = d.action { at >= 1_000 && at <= 1_100 } else { false } }
        #expect(isRetry(action(err(.rateLimit, 429), .query)))
        #expect(action(err(.rateLimit, 429), .query).pauseGroupUntilMs == 1_100)
        #expect(isRetry(action(.http(status: 429), .cancel)))
        #expect(isRetry(action(err(.system, 500), .query)))
        #expect(isRetry(action(.http(status: 502), .query)))
        #expect(isRetry(action(.timeout, .cancel)))
        #expect(isRetry(action(.network("reset"), .query)))
        let m = action(err(.maintenance, 503), .query)
        #expect(m.haltNewOrdersUntilMs == 61_000 && m.action == .retry(atMs: 61_000))
        #expect(action(err(.invalidNonce, 400), .query).action == .retryWithNewNonce)
        #expect(action(err(.invalidNonce, 400), .query, nonce: true).action == .giveUp)
        for r: GeminiReason in [.insufficientFunds, .invalidPrice, .invalidQuantity, .missingRole, .invalidSignature] {
            #expect(action(err(r, 400), .cancel).action == .giveUp, "\(r)")
        }
        #expect(action(.timeout, .query, attempt: 7).action == .giveUp)  // maxAttempts 8
    }

    @Test func newOrdersAreNeverBlindlyRetried() {
        let p = RetryPolicy(backoff: Backoff(baseMs: 100, capMs: 1_000), lookupDelayMs: 500)
        var rng = SeededRandom(seed: 2)
        let failures: [VenueFailure] = [.timeout, .network("reset"), .notSent("refused"), err(.rateLimit, 429), err(.system, 500),
                                       .http(status: 502), err(.maintenance, 503), err(.invalidNonce, 400), err(.insufficientFunds, 406)]
        for f in failures {
            let d = p.decide(f, kind: .newOrder, attempt: 0, now: 0, rng: &rng)
            guard case .lookupBeforeResend(let at) = d.action else { Issue.record("\(f): \(d)"); continue }
            #expect(at >= 500, "\(f)")
        }
        #expect(p.decide(err(.missingRole, 403), kind: .newOrder, attempt: 0, now: 0, rng: &rng).action == .giveUp)
        #expect(p.decide(err(.maintenance, 503), kind: .newOrder, attempt: 0, now: 0, rng: &rng).action == .lookupBeforeResend(atMs: 60_000))
        // After "not found".
        #expect(p.afterLookupNotFound(lastFailure: .timeout, resends: 0, nonceResent: false, now: 0, rng: &rng) != .giveUp(reason: nil, explanation: ""))
        if case .giveUp = p.afterLookupNotFound(lastFailure: .timeout, resends: 3, nonceResent: false, now: 0, rng: &rng) {} else { Issue.record("max resends") }
        if case .giveUp(let r, _) = p.afterLookupNotFound(lastFailure: err(.invalidPrice, 400), resends: 0, nonceResent: false, now: 0, rng: &rng) {
            #expect(r == VenueReason(gemini: .invalidPrice))
        } else { Issue.record("reject expected") }
        #expect(p.afterLookupNotFound(lastFailure: err(.invalidNonce, 400), resends: 0, nonceResent: false, now: 7, rng: &rng) == .resend(atMs: 7))
        #expect(VenueFailure.timeout.mayHaveExecuted && !VenueFailure.notSent("x").mayHaveExecuted)
        #expect(!err(.invalidSignature, 400).mayHaveExecuted && err(.insufficientFunds, 406).mayHaveExecuted)
    }
}
