import Synchronization

/// Counts the unknown things the decoders let through (message types, order-event types,
/// market-data event types, reason codes, order types) so the caller logs each one once
/// instead of flooding the log every few milliseconds, while keeping totals for metrics.
///
/// A class because it is shared state by nature (several feeds report into one tally);
/// thread safe through a `Mutex`.
public final class UnknownMessageTally: Sendable {
    /// What kind of unknown value was seen; part of the key so an unknown `"foo"` message
    /// type and an unknown `"foo"` reason are counted separately.
    public enum Category: String, Sendable, Hashable, CaseIterable {
        case messageType
        case orderEventType
        case marketDataEventType
        case reason
        case orderType
    }

    /// One counted value.
    public struct Key: Hashable, Sendable {
        public let category: Category
        public let name: String
        public init(category: Category, name: String) {
            self.category = category
            self.name = name
        }
    }

    /// The answer to `record`: how often it has now been seen.
    public struct Sighting: Sendable, Equatable {
        /// Total count including this sighting.
        public let count: Int
        /// True exactly once per key: the moment to log it.
        public var isFirstSighting: Bool { count == 1 }
    }

    private let counts = Mutex<[Key: Int]>([:])
    /// Distinct names kept; later new ones count under `overflowName` (per category), so a
    /// peer sending a new name in every message cannot grow this without bound.
    public let maxKeys: Int
    /// Longest name kept as sent; longer ones are cut there.
    public static let maxNameLength = 64
    /// The name further new names are counted under once `maxKeys` are held.
    public static let overflowName = "(other)"

    public init(maxKeys: Int = 1_000) {
        self.maxKeys = max(1, maxKeys)
    }

    /// Counts one sighting of `name` in `category`.
    @discardableResult
    public func record(_ category: Category, _ name: String) -> Sighting {
        let kept = name.utf8.count <= Self.maxNameLength ? name : String(decoding: name.utf8.prefix(Self.maxNameLength), as: UTF8.self)
        var key = Key(category: category, name: kept)
        let count = counts.withLock { table -> Int in
            if table[key] == nil, table.count >= maxKeys { key = Key(category: category, name: Self.overflowName) }
            let next = (table[key] ?? 0) + 1
            table[key] = next
            return next
        }
        return Sighting(count: count)
    }

    /// Records a reason only when it is not a known one; nil for known reasons.
    @discardableResult
    public func recordIfUnknown(_ reason: GeminiReason) -> Sighting? {
        reason.isKnown ? nil : record(.reason, reason.rawValue)
    }

    /// How often `name` has been seen in `category` so far.
    public func count(_ category: Category, _ name: String) -> Int {
        counts.withLock { $0[Key(category: category, name: name)] ?? 0 }
    }

    /// A copy of all counts, for metrics or a shutdown summary.
    public func snapshot() -> [Key: Int] {
        counts.withLock { $0 }
    }
}
