import GeminiProtocol

/// The market-data hot path for one `/v2/marketdata` connection: decodes each received
/// message and applies it to `books`.
///
/// `receive(_:)` allocates nothing per message once every symbol has been seen and the
/// scratch buffers have grown to the largest message.
///
/// Value type, not thread-safe: own it on the connection's serial queue.
public struct MarketDataV2Feed {
    /// The decoder, holding the symbol table (`decoder.symbols.name(of:)`).
    public var decoder: MarketDataV2Decoder
    /// The books.
    public var books: BookSet

    /// `symbols` pre-registers ids (0, 1, …) in that order, e.g. the subscribed symbols.
    public init(symbols: [String] = []) {
        decoder = MarketDataV2Decoder(symbols: SymbolTable(symbols))
        books = BookSet()
    }

    /// Decodes one message and applies it.
    ///
    /// - Throws: `MarketDataV2DecodingError`; nothing was applied. For an `l2_updates` the
    ///   update is lost and v2 cannot replay it, so resubscribe and call `reset()`.
    @discardableResult
    public mutating func receive(_ message: UnsafeRawBufferPointer) throws(MarketDataV2DecodingError) -> MarketDataV2MessageKind {
        try decoder.decode(message, into: &books)
    }

    /// Call on reconnect/resubscribe: every book waits for its new snapshot.
    public mutating func reset() { books.reset() }

    /// The id of a symbol name, if seen.
    public func symbolID(_ name: String) -> SymbolID? {
        var n = name
        return n.withUTF8 { decoder.symbols.lookup(UnsafeRawBufferPointer($0)) }
    }
}
