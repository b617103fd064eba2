import CastorCore
import Dispatch
import GeminiProtocol
import MarketData

/// The engine's order books, owned on the engine queue and updated in place by a market
/// data adapter.
///
/// Why a shared reference instead of events carrying books: tick-to-order latency. The
/// adapter runs its WebSocket on the engine queue and decodes each message straight from
/// the socket's borrowed buffer into `books`, so a book change is visible to the strategy
/// in the same queue turn, without a copy, an allocation or a queue hop. Events to the
/// delegate then only say *which* symbol changed.
///
/// Symbol ids: `symbols` is fixed at creation (ids 0, 1, … in the order given) and every
/// adapter registers the same names in the same order, so a decoder's `SymbolID` and a
/// `BookIndex` name the same symbol to the adapter, the books and the engine. The engine
/// speaks only `BookIndex` and `Symbol` (`book(_:)`, `symbol(at:)`, `index(of:)`); `books`
/// and the `SymbolID` members are the adapter's side.
///
/// Invariant behind `@unchecked Sendable`: `books` is read and written only on `queue`.
public final class MarketBooks: @unchecked Sendable {
    /// The engine queue: the only queue that may touch `books`.
    public let queue: DispatchQueue
    /// The symbols, in subscription order; a symbol's `BookIndex` is its position.
    public let symbols: [Symbol]
    /// `symbols` as upper-case names (`BTCUSD`), in the same order (built on each call: for
    /// subscriptions and set-up, not the per-message path).
    public var symbolNames: [String] { symbols.map(\.rawValue) }
    /// The books, by `SymbolID`. Mutated only by the adapter, on `queue`.
    /// Read in place (`_read`: no copy of the set, no retain of its arrays); the queue is
    /// asserted in debug builds (`debugAssertOnQueue`: this is the per-message path).
    public var books: BookSet {
        _read { debugAssertOnQueue(queue); yield storage }
        _modify { debugAssertOnQueue(queue); yield &storage }
    }
    private var storage = BookSet()

    /// - Parameters:
    ///   - symbols: upper-case names; duplicates are ignored.
    ///   - queue: the engine queue.
    public init(symbols: [String], queue: DispatchQueue) {
        var seen = Set<Symbol>()
        self.symbols = symbols.map(Symbol.init(rawValue:)).filter { seen.insert($0).inserted }
        self.queue = queue
    }

    // MARK: the engine's side (domain types)

    /// The book of the symbol at `index`, if it is one of `symbols` (engine queue only).
    public func book(_ index: BookIndex) -> L2OrderBook? { books.book(SymbolID(index)) }

    /// The symbol at `index`, if it is one of `symbols`.
    public func symbol(at index: BookIndex) -> Symbol? {
        index.index < symbols.count ? symbols[index.index] : nil
    }

    /// The index of `symbol`, if it is one of `symbols` (no allocation: `Symbol` is
    /// canonical already).
    public func index(of symbol: Symbol) -> BookIndex? {
        symbols.firstIndex(of: symbol).map { BookIndex(rawValue: UInt16($0)) }
    }

    /// The index of `name` (any case), if it is one of `symbols`.
    public func index(of name: String) -> BookIndex? {
        index(of: Symbol(rawValue: name))
    }

    /// The name of `index`; `#n` for an index outside `symbols`.
    public func name(of index: BookIndex) -> String {
        symbol(at: index)?.rawValue ?? index.description
    }

    // MARK: the adapter's side (the decoder's ids)

    /// A table registering `symbolNames` in order, for a decoder that must agree on ids.
    public func makeSymbolTable() -> SymbolTable { SymbolTable(symbolNames) }

    /// The id of `name` (any case), if it is one of `symbols`.
    public func id(of name: String) -> SymbolID? { index(of: name).map(SymbolID.init) }

    /// The name of `id`; `#n` for an id outside `symbols`.
    public func name(of id: SymbolID) -> String { name(of: BookIndex(gemini: id)) }
}
