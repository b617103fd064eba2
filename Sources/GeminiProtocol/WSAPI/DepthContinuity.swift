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

    public private(set) var phase: Phase = .awaitingSnapshot
    /// Gaps whose frame had `U == last + 1` (contiguous, not overlapping).
    public private(set) var contiguousFrames = 0
    public private(set) var staleFrames = 0
    public private(set) var gaps = 0

    public init() {}

    /// The book's update id, when live.
    public var lastUpdateID: Int64? {
        if case .live(let last) = phase { return last }
        return nil
    }

    /// Judges a frame covering `first...last` and moves on.
    public mutating func accept(first: Int64, last: Int64) -> Verdict {
        switch phase {
        case .resyncing:
            return .dropResyncing
        case .awaitingSnapshot:
            phase = .live(last: last)
            return first == last ? .applySnapshot : .applySnapshotWithRange
        case .live(let previous):
            if last <= previous {
                staleFrames += 1
                return .dropStale
            }
            if first == previous { phase = .live(last: last); return .applyDiff }
            if first < previous {
                // Overlaps further back but extends past what we hold: the levels are
                // absolute sizes, so applying it is safe.
                phase = .live(last: last)
                return .applyDiff
            }
            if first == previous &+ 1 { contiguousFrames += 1 }
            gaps += 1
            phase = .resyncing
            return .gap(expected: previous, received: first)
        }
    }

    /// `accept` for a recording, which cannot resubscribe: after a gap the symbol waits for
    /// the recorder's next connection, whose first frame per symbol is its snapshot
    /// (`U == u`), and takes that as the new baseline.
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
    public mutating func beginResync() { phase = .resyncing }

    /// The unsubscribe was answered: the next frame is the snapshot.
    public mutating func resubscribed() { phase = .awaitingSnapshot }

    /// A new connection: every symbol starts over.
    public mutating func reset() { phase = .awaitingSnapshot }
}
