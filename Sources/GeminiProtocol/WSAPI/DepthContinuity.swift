/// The continuity of one symbol's differential book on the new WebSocket API (WS-API.md
/// §3.11): an I/O-free state machine, one per symbol.
///
/// - After a (re)subscribe the next frame is the snapshot (absolute levels, `U == u`).
/// - Then each frame must overlap the last: `U == last u` (the strict rule the probe saw
///   on every frame; §3.11 step 3); `u <= last` is stale and dropped; `U > last` is a gap
///   and the book is unusable until resynced. `U == last + 1` (the lenient SDKs' rule)
///   is a gap too, counted apart in `contiguousFrames` so a log shows if Gemini ever
///   sends it.
/// - A resync unsubscribes and resubscribes the symbol on the same connection; frames are
///   dropped until the unsubscribe is answered, then the next frame is the snapshot.
public struct DepthContinuity: Sendable, Hashable {
    public enum Phase: Sendable, Hashable {
        /// The next frame is the snapshot.
        case awaitingSnapshot
        /// Applied through update id `last`.
        case live(last: Int64)
        /// A resync was requested; frames are dropped until the unsubscribe's reply.
        case resyncing
    }

    /// What to do with a frame.
    public enum Verdict: Sendable, Hashable {
        /// Replace the book with the frame's levels.
        case applySnapshot
        /// Apply the frame's levels as changes.
        case applyDiff
        /// Drop the frame: it repeats updates already applied.
        case dropStale
        /// Drop the frame: a resync is under way.
        case dropResyncing
        /// Updates were lost between `expected` and `received`: resync the symbol.
        case gap(expected: Int64, received: Int64)
        /// The snapshot frame had `U != u`: taken anyway (some servers may batch), counted.
        case applySnapshotWithRange
    }

    // The state is stored under internal names, readable from outside through the
    // properties below: `accept` is inlinable (a replay or a feed judges every frame with
    // it, inlined into its own loop) and may touch only what its clients may link to.
    @usableFromInline var current: Phase = .awaitingSnapshot
    @usableFromInline var contiguous = 0
    @usableFromInline var stale = 0
    @usableFromInline var gapCount = 0

    public var phase: Phase { current }
    /// Gaps whose frame had `U == last + 1` (contiguous, not overlapping).
    public var contiguousFrames: Int { contiguous }
    public var staleFrames: Int { stale }
    public var gaps: Int { gapCount }

    public init() {}

    /// The book's update id, when live.
    public var lastUpdateID: Int64? {
        if case .live(let last) = current { return last }
        return nil
    }

    /// Judges a frame covering `first...last` and moves on.
    @inlinable
    public mutating func accept(first: Int64, last: Int64) -> Verdict {
        switch current {
        case .resyncing:
            return .dropResyncing
        case .awaitingSnapshot:
            current = .live(last: last)
            return first == last ? .applySnapshot : .applySnapshotWithRange
        case .live(let previous):
            if last <= previous {
                stale &+= 1
                return .dropStale
            }
            // `first == previous` (the overlap every frame has), or overlapping further
            // back but extending past what we hold: the levels are absolute sizes, so
            // applying it is safe.
            if first <= previous { current = .live(last: last); return .applyDiff }
            if first == previous &+ 1 { contiguous &+= 1 }
            gapCount &+= 1
            current = .resyncing
            return .gap(expected: previous, received: first)
        }
    }

    /// `accept` for a recording, which cannot resubscribe: after a gap the symbol waits for
    /// the recorder's next connection, whose first frame per symbol is its snapshot
    /// (`U == u`), and takes that as the new baseline.
    @inlinable @inline(__always)
    public mutating func acceptRecorded(first: Int64, last: Int64) -> Verdict {
        let verdict = accept(first: first, last: last)
        switch verdict {
        case .gap, .dropResyncing:
            guard first == last else { return verdict }
            resubscribed()
            return accept(first: first, last: last)
        default:
            return verdict
        }
    }

    /// A resync of this symbol was started (gap, crossed book, bad frame).
    @inlinable public mutating func beginResync() { current = .resyncing }

    /// The unsubscribe was answered: the next frame is the snapshot.
    @inlinable public mutating func resubscribed() { current = .awaitingSnapshot }

    /// A new connection: every symbol starts over.
    @inlinable public mutating func reset() { current = .awaitingSnapshot }
}
