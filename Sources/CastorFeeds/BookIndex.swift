/// A symbol's place among `MarketBooks.symbols` (0, 1, … in subscription order): how a
/// market-data adapter names the book that changed, so the engine indexes its per-symbol
/// arrays instead of hashing names on every message.
///
/// Venue-neutral: it means a position in one `MarketBooks`, not a wire id, and is valid
/// only for the `MarketBooks` it came from (the books are replaced whole when the symbols
/// change).
public struct BookIndex: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The position, for indexing arrays.
    @inlinable public var index: Int { Int(rawValue) }

    public static func < (a: BookIndex, b: BookIndex) -> Bool { a.rawValue < b.rawValue }

    public var description: String { "#\(rawValue)" }
}
