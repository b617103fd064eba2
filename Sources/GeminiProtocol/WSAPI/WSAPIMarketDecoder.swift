import CastorCore

/// Decodes the public frames of the new WebSocket API (`depthUpdate`, trades, replies;
/// WS-API.md §3.2–3.6) and hands them to a `WSAPIMarketHandler`, without allocating per
/// frame.
///
/// One pass over the top-level object validates the whole frame (syntax, nesting, trailing
/// bytes) and parses the values it needs on the way: the `b`/`a` levels go straight into a
/// scratch array whose capacity is kept between frames. Nothing reaches the handler from a
/// frame that fails. Symbols are matched case-insensitively against the table the decoder
/// was built with (lower-cased into a stack buffer); frames of other symbols are ignored.
///
/// Plain `depthUpdate` and trade frames (nearly all the traffic) are taken first by a
/// single-pass scanner that parses as it validates (`WSAPIMarketDecoder+FastPath`); what it
/// does not take, this general path decodes from the start, with the same result for what
/// both accept.
///
/// Not thread-safe: one decoder per connection, on the queue that owns it.
public struct WSAPIMarketDecoder {
    /// The symbols, lower-case, ids in the order given (the engine's books' order), then
    /// in order of first sight when `registersNewSymbols`.
    public private(set) var symbols: SymbolTable
    /// Frames of symbols not in the table register them (a replay of a whole recording)
    /// instead of being ignored (a feed that knows its books).
    public let registersNewSymbols: Bool
    var levels: [L2Change] = []
    /// Scratch for the fast path: `fastLevelCapacity` slots, written in place.
    @usableFromInline var fastLevels: [L2Change]

    /// - Parameter symbols: names in the books' order (any case).
    public init(symbols: [String], registersNewSymbols: Bool = false) {
        self.symbols = SymbolTable(symbols.map { $0.lowercased() })
        self.registersNewSymbols = registersNewSymbols
        levels.reserveCapacity(4096)
        fastLevels = Array(repeating: L2Change(side: .buy, price: .zero, quantity: .zero),
                           count: WSAPIMarketDecoder.fastLevelCapacity)
    }

    /// Decodes one text frame.
    ///
    /// Inlinable so that it is specialised for the caller's handler in the caller's module:
    /// the handler's methods are then direct (usually inlined) calls, not witness-table
    /// calls through a thunk on every frame. The scanning stays in this module
    /// (`fastFrame`, a plain call; `decodeGeneral`).
    /// - Throws: `WSAPIDecodingError` for malformed JSON or a malformed depth frame; the
    ///   handler was then not called.
    @inlinable
    public mutating func decode<H: WSAPIMarketHandler>(
        _ frame: UnsafeRawBufferPointer, into handler: inout H
    ) throws(WSAPIDecodingError) -> WSAPIMarketMessageKind {
        switch fastFrame(frame) {
        case .depth(let update, let count):
            fastLevels.withUnsafeBufferPointer {
                handler.depthUpdate(update, levels: UnsafeBufferPointer(start: $0.baseAddress, count: count))
            }
            return .depthUpdate
        case .trade(let trade):
            handler.trade(trade)
            return .trade
        case .general:
            break
        }
        return try decodeGeneral(frame, into: &handler)
    }

    /// The general path of `decode` (a frame the fast path did not take).
    @usableFromInline
    mutating func decodeGeneral<H: WSAPIMarketHandler>(
        _ frame: UnsafeRawBufferPointer, into handler: inout H
    ) throws(WSAPIDecodingError) -> WSAPIMarketMessageKind {
        try WSAPIDecodingError.converting { try decodeFrame(frame, into: &handler) }
    }

    private enum EventType { case none, depthUpdate, trade, other }

    mutating func decodeFrame<H: WSAPIMarketHandler>(
        _ frame: UnsafeRawBufferPointer, into handler: inout H
    ) throws -> WSAPIMarketMessageKind {
        var c = JSONCursor(frame)
        let objectStart = try c.openFrameObject()
        levels.removeAll(keepingCapacity: true)
        var event = EventType.none
        var symbolAt = -1, idAt = -1, errorAt = -1, resultAt = -1
        var first: Int64?, last: Int64?, time: Int64?, tradeID: Int64?, status: Int64?
        var price: ExactDecimal?, quantity: ExactDecimal?, buyerIsMaker: Bool?
        var levelArrays = 0, badLevelsAt = -1
        var tickerFields = false, partialDepth = false
        var more = c.containerHasMembers(closing: 0x7D)
        while more {
            let key = try c.readKey()
            c.skipWhitespace()
            let at = c.position
            switch c.shortKey(key) {
            case 0x65: // e
                if let text = try? c.readString() {
                    if c.string(text, equals: "depthUpdate") { event = .depthUpdate }
                    else if c.string(text, equals: "trade") { event = .trade }
                    else { event = .other }
                } else {
                    c.position = at
                    try c.skipValue()
                    event = .other
                }
            case 0x45: time = try c.wsInteger() // E
            case 0x73: symbolAt = at; try c.skipValue() // s
            case 0x55: first = try c.wsInteger() // U
            case 0x75: last = try c.wsInteger() // u
            case 0x62, 0x61: // b, a: levels (arrays) or a book ticker's best price (string)
                if c.current == 0x5B {
                    levelArrays += 1
                    if try !readLevels(&c, side: c.base[key.start] == 0x62 ? .buy : .sell), badLevelsAt < 0 {
                        badLevelsAt = at
                    }
                } else {
                    tickerFields = true
                    try c.skipValue()
                }
            case 0x42, 0x41: tickerFields = true; try c.skipValue() // B, A
            case 0x74: tradeID = try c.wsInteger() // t
            case 0x70: price = try c.wsDecimal() // p
            case 0x71: quantity = try c.wsDecimal() // q
            case 0x6D: buyerIsMaker = try c.wsBool() // m
            case 0x6964: idAt = at; try c.skipValue() // id
            default:
                if c.string(key, equals: "status") { status = try c.wsInteger() }
                else if c.string(key, equals: "error") { errorAt = at; try c.skipValue() }
                else if c.string(key, equals: "result") { resultAt = at; try c.skipValue() }
                else if c.string(key, equals: "symbol") { symbolAt = at; try c.skipValue() }
                else if c.string(key, equals: "lastUpdateId") || c.string(key, equals: "bids")
                            || c.string(key, equals: "asks") { partialDepth = true; try c.skipValue() }
                else { try c.skipValue() }
            }
            more = try c.containerContinues(closing: 0x7D)
        }
        try c.expectEnd()

        if idAt >= 0, let status {
            handler.reply(try Self.reply(&c, idAt: idAt, status: status, errorAt: errorAt, resultAt: resultAt))
            return .reply
        }
        switch event {
        case .depthUpdate:
            guard symbolAt >= 0 else { throw WSAPIDecodingError.missingField("s", offset: objectStart) }
            guard let first else { throw WSAPIDecodingError.missingField("U", offset: objectStart) }
            guard let last else { throw WSAPIDecodingError.missingField("u", offset: objectStart) }
            if badLevelsAt >= 0 { throw WSAPIDecodingError.invalidValue("b/a", offset: badLevelsAt) }
            guard first >= 0, last >= first else { throw WSAPIDecodingError.invalidValue("U/u", offset: objectStart) }
            guard let symbol = try lookupSymbol(&c, at: symbolAt) else { return .unknownSymbol }
            let update = WSAPIDepthUpdate(symbol: symbol, firstUpdateID: first, lastUpdateID: last, eventTimeNs: time ?? 0)
            levels.withUnsafeBufferPointer { handler.depthUpdate(update, levels: $0) }
            return .depthUpdate
        case .trade, .none:
            let looksLikeTrade = event == .trade || (tradeID != nil && levelArrays == 0 && !tickerFields && !partialDepth)
            guard looksLikeTrade else { return tickerFields || partialDepth ? .ignored : .other }
            guard symbolAt >= 0, let tradeID, tradeID >= 0, let price, price.isPositive, let quantity, quantity.isPositive,
                  let buyerIsMaker else { return .malformedTrade }
            guard let symbol = try lookupSymbol(&c, at: symbolAt) else { return .unknownSymbol }
            handler.trade(MarketDataV2Trade(symbol: symbol, eventID: UInt64(tradeID), timestampMs: Self.milliseconds(time ?? 0),
                                            price: price, quantity: quantity, takerSide: buyerIsMaker ? .sell : .buy,
                                            tid: UInt64(tradeID)))
            return .trade
        case .other:
            return .other
        }
    }

    /// `[[price, qty], …]` into `levels`; false (after consuming the array) when a level is
    /// not a pair of a positive price and a non-negative quantity.
    private mutating func readLevels(_ c: inout JSONCursor, side: Side) throws -> Bool {
        c.position += 1
        var ok = true
        var more = c.containerHasMembers(closing: 0x5D)
        while more {
            c.skipWhitespace()
            if c.current == 0x5B {
                c.position += 1
                guard c.containerHasMembers(closing: 0x5D) else { ok = false; more = try c.containerContinues(closing: 0x5D); continue }
                let price = try c.wsDecimal()
                var quantity: ExactDecimal?
                if try c.containerContinues(closing: 0x5D) {
                    quantity = try c.wsDecimal()
                    // Extra elements make the level malformed (consumed for validation).
                    while try c.containerContinues(closing: 0x5D) { ok = false; try c.skipValue() }
                }
                if let price, price.isPositive, let quantity, !quantity.isNegative {
                    levels.append(L2Change(side: side, price: price, quantity: quantity))
                } else {
                    ok = false
                }
            } else {
                try c.skipValue()
                ok = false
            }
            more = try c.containerContinues(closing: 0x5D)
        }
        return ok
    }

    /// The symbol string at `at`, looked up lower-cased (no allocation); nil when unknown
    /// (registered first, when `registersNewSymbols`).
    private mutating func lookupSymbol(_ c: inout JSONCursor, at: Int) throws -> SymbolID? {
        c.position = at
        c.skipWhitespace()
        guard c.current == 0x22 else { throw WSAPIDecodingError.invalidValue("s", offset: at) }
        let token = try c.readString()
        guard !token.hasEscapes, token.count > 0, token.count <= SymbolTable.maxLength else { return nil }
        let register = registersNewSymbols
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: SymbolTable.maxLength) { buffer in
            for i in 0..<token.count {
                let b = c.base[token.start + i]
                buffer[i] = b &- 0x41 < 26 ? b | 0x20 : b
            }
            let name = UnsafeRawBufferPointer(start: buffer.baseAddress, count: token.count)
            if let known = symbols.lookup(name) { return known }
            return register ? symbols.id(for: name) : nil
        }
    }

    /// Milliseconds from an event time sent in ns (market data), ms or s, told by
    /// magnitude (WS-API §3.8, §3.13).
    public static func milliseconds(_ time: Int64) -> Int64 {
        if time > 1_000_000_000_000_000 { return time / 1_000_000 }
        if time > 100_000_000_000 { return time }
        return time.multipliedReportingOverflow(by: 1_000).overflow ? 0 : time * 1_000
    }

    static func reply(_ c: inout JSONCursor, idAt: Int, status: Int64, errorAt: Int, resultAt: Int) throws -> WSAPIReply {
        c.position = idAt
        c.skipWhitespace()
        let id: WSAPIRequestID?
        if c.current == 0x22 { id = try c.wsText().map(WSAPIRequestID.text) }
        else if let n = try c.wsInteger() { id = .number(n) }
        else { id = nil }
        var reply = WSAPIReply(id: id, status: Int(clamping: status))
        if errorAt >= 0 {
            try c.forEachMember(ofObjectAt: errorAt) { c, key in
                if c.string(key, equals: "code") { reply.errorCode = try c.wsInteger() }
                else if c.string(key, equals: "msg") || c.string(key, equals: "message") { reply.errorMessage = try c.wsText() }
                else { try c.skipValue() }
            }
        }
        if resultAt >= 0 {
            try c.forEachMember(ofObjectAt: resultAt) { c, key in
                if c.string(key, equals: "orderId") { reply.orderIDHint = try c.wsInteger() } else { try c.skipValue() }
            }
        }
        return reply
    }
}
