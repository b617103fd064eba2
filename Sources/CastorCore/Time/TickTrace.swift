import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Monotonic stamps at the stages of the market-data-to-order path, recorded only while a
/// benchmark has switched them on (`castor-bench latency` prints its per-stage table from
/// them). Off — always, in `castor run` — a mark costs one relaxed atomic load and a branch.
///
/// Confined to the engine queue: the path marks and commits there, and a reader takes the
/// records there (`takeRecords` on that queue). The switch itself is atomic, so it may be
/// flipped from any thread before the engine starts.
public final class TickTrace: @unchecked Sendable {
    /// The stages, in path order.
    public enum Stage: Int, CaseIterable, Sendable {
        /// A whole WebSocket message reached the market-data adapter (socket read and
        /// framing done).
        case message
        /// The message is decoded and applied to its book.
        case applied
        /// The strategy is about to be called with the book's view.
        case strategy
        /// The strategy placed: risk and the order manager admitted the intent.
        case admitted
        /// The key's request queue handed the order to the venue's execution client.
        case dispatched
        /// The request's bytes are ready: the socket frame encoded, or for REST the body
        /// signed and handed to libcurl.
        case encoded
        /// The write returned (the WebSocket frame is in the kernel). REST does not mark
        /// it: libcurl writes later in the same queue turn.
        case written
    }

    /// One order's stamps (`CLOCK_MONOTONIC` ns); 0 where the path did not pass a stage.
    public struct Record: Sendable {
        public var stamps: [UInt64]
        public func stamp(_ stage: Stage) -> UInt64 { stamps[stage.rawValue] }
    }

    /// The process's one trace (the engine's path is one per process).
    public static let shared = TickTrace()

    private let enabled = Atomic<Bool>(false)
    private var current = [UInt64](repeating: 0, count: Stage.allCases.count)
    private var records: [Record] = []
    private let capacity = 100_000

    private init() {}

    /// Starts (or stops) recording; records already taken stay with their reader.
    public func setEnabled(_ on: Bool) { enabled.store(on, ordering: .relaxed) }

    public var isEnabled: Bool { enabled.load(ordering: .relaxed) }

    /// Stamps `stage` of the message in progress; `.message` starts a new one.
    @inline(__always)
    public func mark(_ stage: Stage) {
        guard enabled.load(ordering: .relaxed) else { return }
        record(stage)
    }

    @inline(never)
    private func record(_ stage: Stage) {
        if stage == .message { for i in current.indices { current[i] = 0 } }
        current[stage.rawValue] = Self.monotonicNs()
    }

    /// Closes the order in progress: its stamps so far become a record. Called where the
    /// order left (after `.written` or `.encoded`).
    @inline(__always)
    public func commit() {
        guard enabled.load(ordering: .relaxed) else { return }
        if records.count < capacity { records.append(Record(stamps: current)) }
    }

    /// The records so far, oldest first, and forgets them.
    public func takeRecords() -> [Record] {
        defer { records = [] }
        return records
    }

    /// `CLOCK_MONOTONIC` in nanoseconds (the same clock as `DispatchTime`).
    public static func monotonicNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
