import Synchronization

/// Lends an API key's one request slot to a signed operation that is not a venue call:
/// the order-events WebSocket upgrade, whose signature draws a nonce from the same
/// sequence as the key's REST requests.
///
/// While the loan is held no request of the key is signed, so the operation's nonce is
/// neither overtaken by, nor overtakes, a request's on the wire; on a counter-nonce key
/// either would be refused. The lender is the key's one ordered queue (the engine's
/// `RequestScheduler`): the loan waits its turn there, behind cancels, ahead of new orders
/// and queries.
///
/// Called on the owner's queue (the engine queue); `granted` runs on it too.
public protocol KeySlotLender: AnyObject, Sendable {
    /// Asks for the slot.
    ///
    /// - Parameters:
    ///   - waitMs: how long the request may wait for its turn; past it `granted` gets
    ///     `.expired`.
    ///   - maximumHoldMs: how long the loan may hold the slot. A loan not released by then
    ///     (or held for the lender's preemption time while a cancel waits) is revoked, so a
    ///     lost callback cannot stall the key's requests for good.
    ///   - granted: the loan, or why there is none.
    func borrowSlot(waitMs: Int64, maximumHoldMs: Int64,
                    _ granted: @escaping @Sendable (Result<KeySlotLoan, KeySlotRefusal>) -> Void)
}

/// Why the key's slot was not lent.
public enum KeySlotRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The wait passed before the slot was free.
    case expired
    /// The key's queue was retired (the engine is stopping); nothing is signed any more.
    case retired

    public var description: String {
        switch self {
        case .expired: "the key's request slot was not free in time"
        case .retired: "the key's request queue is retired"
        }
    }
}

/// The key's slot, lent by a `KeySlotLender`. Release it once the signed operation has
/// been answered; only the first release counts, and one after a revocation is ignored.
public final class KeySlotLoan: Sendable {
    private let onRelease: @Sendable () -> Void
    private let released = Mutex(false)

    /// - Parameter onRelease: frees the slot in the lender (called once).
    public init(onRelease: @escaping @Sendable () -> Void) {
        self.onRelease = onRelease
    }

    /// Frees the slot for the next request.
    public func release() {
        let first = released.withLock { done in
            defer { done = true }
            return !done
        }
        if first { onRelease() }
    }
}
