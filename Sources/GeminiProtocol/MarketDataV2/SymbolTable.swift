import Glibc

/// A small integer standing for a symbol (`BTCUSD`, `BTCGUSDPERP`) within one `SymbolTable`.
///
/// Ids are dense from 0 in order of first appearance, so callers index arrays with them
/// instead of hashing strings on every message.
public struct SymbolID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public var index: Int { Int(rawValue) }
    public static func < (a: SymbolID, b: SymbolID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "#\(rawValue)" }
}

/// Interns symbol names: maps the bytes of a symbol to a `SymbolID` without allocating
/// once the symbol is known.
///
/// A venue has a few hundred symbols and a connection subscribes to a handful, so a linear
/// scan over entries prefiltered by length and first 8 bytes beats hashing (no hash of the
/// bytes, one or two compares for the common case). Allocation happens only when a new
/// symbol is registered. Value type; confine each instance to one queue.
public struct SymbolTable: Sendable {
    private struct Entry: Sendable {
        var length: Int
        var prefix: UInt64
        var bytes: [UInt8]
    }

    private var entries: [Entry] = []
    private var names: [String] = []

    /// The longest symbol accepted; Gemini's are at most about 12 bytes.
    public static let maxLength = 64

    public init() {}

    /// An id for each name, in order (ids 0, 1, …): handy to pre-register subscriptions.
    public init(_ symbols: [String]) {
        for s in symbols { _ = id(for: s) }
    }

    /// Number of distinct symbols seen (stored, not `entries.count`: a caller in another
    /// module reads it per message to notice a registration, without a call).
    public private(set) var count = 0

    /// The name of `id` (allocates; for output, not the hot path).
    public func name(of id: SymbolID) -> String { names[id.index] }

    /// All (id, name) pairs.
    public var all: [(SymbolID, String)] {
        names.enumerated().map { (SymbolID(rawValue: UInt16($0.offset)), $0.element) }
    }

    /// The id of `name`, registering it if new.
    public mutating func id(for name: String) -> SymbolID {
        var n = name
        return n.withUTF8 { id(for: UnsafeRawBufferPointer($0))! }
    }

    /// The id of an already-known symbol, or nil.
    public func lookup(_ bytes: UnsafeRawBufferPointer) -> SymbolID? {
        let n = bytes.count
        let p = SymbolTable.prefix(of: bytes)
        return entries.withUnsafeBufferPointer { table -> SymbolID? in
            for i in 0..<table.count where table[i].length == n && table[i].prefix == p {
                if n <= 8 { return SymbolID(rawValue: UInt16(truncatingIfNeeded: i)) }
                let same = table[i].bytes.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress!, n) == 0 }
                if same { return SymbolID(rawValue: UInt16(truncatingIfNeeded: i)) }
            }
            return nil
        }
    }

    /// The id of the already-known symbol in `count` bytes at `bytes`, or nil; `readable`
    /// (≥ `count`) bytes may be read there, which lets a short name be loaded in one go.
    @inline(__always)
    func lookup(_ bytes: UnsafePointer<UInt8>, count n: Int, readable: Int) -> SymbolID? {
        guard n > 0, n <= 8, readable >= 8 else {
            return lookup(UnsafeRawBufferPointer(start: bytes, count: n))
        }
        let word = UnsafeRawPointer(bytes).loadUnaligned(as: UInt64.self)
        let p = n == 8 ? word : word & ((1 &<< (UInt64(n) &* 8)) &- 1)
        return entries.withUnsafeBufferPointer { table -> SymbolID? in
            for i in 0..<table.count where table[i].prefix == p && table[i].length == n {
                return SymbolID(rawValue: UInt16(truncatingIfNeeded: i))
            }
            return nil
        }
    }

    /// The id of `bytes`, registering a new symbol; nil when the name is empty, longer
    /// than `maxLength`, or the table already holds 65 536 symbols.
    public mutating func id(for bytes: UnsafeRawBufferPointer) -> SymbolID? {
        if let known = lookup(bytes) { return known }
        guard bytes.count > 0, bytes.count <= SymbolTable.maxLength, entries.count <= Int(UInt16.max) else { return nil }
        let copy = Array(bytes)
        entries.append(Entry(length: copy.count, prefix: SymbolTable.prefix(of: bytes), bytes: copy))
        names.append(String(decoding: copy, as: UTF8.self))
        count = entries.count
        return SymbolID(rawValue: UInt16(entries.count - 1))
    }

    /// The first up-to-8 bytes packed little-endian, zero padded.
    @inline(__always)
    private static func prefix(of bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        if n >= 8 { return bytes.loadUnaligned(as: UInt64.self) }
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        return v
    }
}
