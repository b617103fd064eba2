import CastorCore

// The fast path for nearly all of the new API's traffic: a `depthUpdate` or a trade whose
// top-level keys are single letters (`e E s U u b a` for depth, `e E s t p q m` for a
// trade; any order, any whitespace, each at most once), with an unescaped known lower-case
// symbol, integer ids and times, plain quoted decimals and a literal `m`. One pass
// validates and parses at once into the levels scratch (`FastL2Scanner.scanCanonical` for
// Gemini's own layout, else `FastL2Scanner.scanFrame`); on
// anything else (another key, a mix of the two kinds, escapes, exponents, numbers as
// strings, more than 18 digits in a decimal or 19 in an integer, a non-positive trade
// price or quantity, a new or upper-case symbol, malformed JSON) it answers `.general`
// having changed nothing visible, and the general path decodes the frame from the start
// (and names the error). What it accepts, the general path accepts with the same result.
extension WSAPIMarketDecoder {
    /// Most levels the fast path takes in one frame; larger ones (deep snapshots) use the
    /// general path.
    static let fastLevelCapacity = 1024

    /// What the fast path made of a frame.
    @usableFromInline
    enum FastFrame {
        /// A plain `depthUpdate`: its header and how many of its levels are now at the
        /// start of `fastLevels`.
        case depth(WSAPIDepthUpdate, Int)
        /// A plain trade.
        case trade(MarketDataV2Trade)
        /// Anything else: the general path decides.
        case general
    }

    /// Scans `frame`; `.general` for anything the fast path does not take (see above).
    /// `decode`, inlined into its callers, calls it across modules; this module's callers
    /// inline it.
    @usableFromInline @inline(__always)
    mutating func fastFrame(_ frame: UnsafeRawBufferPointer) -> FastFrame {
        guard let base = frame.baseAddress, frame.count >= 16 else { return .general }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var f = WSAPIFastFields()
        let ok = fastLevels.withUnsafeMutableBufferPointer { out in
            // Gemini's own layout first; any other order or spacing from the start.
            var s = FastL2Scanner(p: p, n: frame.count)
            if s.scanCanonical(into: out.baseAddress!, capacity: out.count, &f) { return true }
            s = FastL2Scanner(p: p, n: frame.count)
            f = WSAPIFastFields()
            return s.scanFrame(into: out.baseAddress!, capacity: out.count, &f)
        }
        guard ok, let id = symbols.lookup(p + f.symbolStart, count: f.symbolLength, readable: frame.count - f.symbolStart)
        else { return .general }
        let seen = f.seen
        if !f.eventIsTrade, seen & ~WSAPIFastFields.depthKeys == 0,
           seen & WSAPIFastFields.depthRequired == WSAPIFastFields.depthRequired {
            guard f.last >= f.first else { return .general }
            return .depth(WSAPIDepthUpdate(symbol: id, firstUpdateID: f.first, lastUpdateID: f.last, eventTimeNs: f.time),
                          f.count)
        }
        // A trade: `e`, when there, said "trade" (a `depthUpdate` without `U` is refused by
        // the general path).
        if seen & WSAPIFastFields.e == 0 || f.eventIsTrade, seen & ~WSAPIFastFields.tradeKeys == 0,
           seen & WSAPIFastFields.tradeRequired == WSAPIFastFields.tradeRequired, f.price.isPositive, f.quantity.isPositive {
            return .trade(MarketDataV2Trade(symbol: id, eventID: UInt64(f.tradeID), timestampMs: Self.milliseconds(f.time),
                                            price: f.price, quantity: f.quantity, takerSide: f.buyerIsMaker ? .sell : .buy,
                                            tid: UInt64(f.tradeID)))
        }
        return .general
    }

    /// The fast path's answer for a plain `depthUpdate` (header, levels now at the start
    /// of `fastLevels`); nil for anything else.
    mutating func fastDepth(_ frame: UnsafeRawBufferPointer) -> (WSAPIDepthUpdate, Int)? {
        if case .depth(let update, let count) = fastFrame(frame) { return (update, count) }
        return nil
    }

    /// The fast path's answer for a plain trade; nil for anything else.
    mutating func fastTrade(_ frame: UnsafeRawBufferPointer) -> MarketDataV2Trade? {
        if case .trade(let trade) = fastFrame(frame) { return trade }
        return nil
    }
}
