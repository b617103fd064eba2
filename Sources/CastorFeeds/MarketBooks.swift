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
/// adapter registers the same names in the same order, so a `SymbolID` means the same
/// symbol to the adapter, the books and the engine.
///
/// Invariant behind `@unchecked Sendable`: `books` is read and written only on `queue`.
public final class MarketBooks: @unchecked Sendable {
    /// The engine queue: the only queue that may touch `books`.
    public let queue: DispatchQueue
    /// Upper-case symbol names (`BTCUSD`); their ids are their positions.
    public let symbolNames: [String]
    /// The books, by `SymbolID`. Mutated only by the adapter, on `queue`.
    public var books: BookSet {
        get { dispatchPrecondition(condition: .onQueue(queue)); return storage }
        _modify { dispatchPrecondition(condition: .onQueue(queue)); yield &storage }
    }
    private var storage = BookSet()

    /// - Parameters:
    ///   - symbols: upper-case names; duplicates are ignored.
    ///   - queue: the engine queue.
    public init(symbols: [String], queue: DispatchQueue) {
        var seen = Set<String>()
        symbolNames = symbols.map { $0.uppercased() }.filter { seen.insert($0).inserted }
        self.queue = queue
    }

    /// A table registering `symbolNames` in order, for a decoder that must agree on ids.
    public func makeSymbolTable() -> SymbolTable { SymbolTable(symbolNames) }

    /// The id of `name` (any case), if it is one of `symbolNames`.
    public func id(of name: String) -> SymbolID? {
        symbolNames.firstIndex(of: name.uppercased()).map { SymbolID(rawValue: UInt16($0)) }
    }

    /// The name of `id`; `#n` for an id outside `symbolNames`.
    public func name(of id: SymbolID) -> String {
        id.index < symbolNames.count ? symbolNames[id.index] : id.description
    }
}
