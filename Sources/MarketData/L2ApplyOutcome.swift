import Glibc
import CastorCore
import GeminiProtocol

/// What applying one `l2_updates` message did to a book.
public struct L2ApplyOutcome: Sendable, Equatable {
    /// Changes that removed a level the book did not have (harmless: Gemini sometimes
    /// re-sends removals; a steady stream of them suggests a missed snapshot).
    public var removalsOfAbsentLevels = 0
    /// Changes whose price could not be represented (more than 20 decimal places or beyond
    /// ±1.7e18); they were ignored. Nonzero means the book is incomplete: resubscribe.
    public var rejectedChanges = 0
    /// True when, after the message, best bid ≥ best ask (crossed or locked). Gemini's
    /// books never cross, so this means the book is wrong: resubscribe for a snapshot.
    public var crossed = false
    public init() {}
}
