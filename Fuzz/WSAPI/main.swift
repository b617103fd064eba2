// libFuzzer harness: the new WebSocket API's decoders (WS-API.md) — the public socket's
// `WSAPIMarketDecoder` into books through `DepthContinuity`, and the account socket's
// `WSAPIAccountDecoder` into the domain reports the engine reads.
//
// Input: one or more frames separated by '\n', each decoded by both decoders (a frame may
// arrive on either socket). Each frame is copied into its own exactly-sized heap buffer so
// that AddressSanitizer sees any read past its end.
//
// Oracles:
// - no trap / no ASan report anywhere (decode, continuity, book apply, report mapping);
// - whatever the fast scanner accepts, the general path accepts too: a `depthUpdate` with
//   the same header and bit-identical levels, a trade with the same fields and digits;
// - every level handed over has a positive price and a non-negative quantity;
// - books stay sorted (bids descending, asks ascending) with positive quantities;
// - continuity never applies a frame whose `u` is not above the last applied one;
// - an order event's reports all carry its order id; a fill's execution amount is positive.

import Glibc

func fail(_ message: String, _ bytes: UnsafeRawBufferPointer) -> Never {
    fputs("FUZZ ORACLE FAILED: \(message)\n  frame: \(String(decoding: bytes, as: UTF8.self).debugDescription)\n", stderr)
    abort()
}

func withExactCopy<R>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let n = bytes.count
    let p = malloc(max(n, 1))!
    defer { free(p) }
    if n > 0 { memcpy(p, bytes.baseAddress!, n) }
    return body(UnsafeRawBufferPointer(start: p, count: n))
}

let knownSymbols = ["BTCUSD", "ETHUSD", "BTCGUSDPERP", "SOLUSD", "ETHBTC"]

struct Recorder: WSAPIMarketHandler {
    var depth: (WSAPIDepthUpdate, [L2Change])?
    var trade: MarketDataV2Trade?
    mutating func depthUpdate(_ update: WSAPIDepthUpdate, levels: UnsafeBufferPointer<L2Change>) { depth = (update, Array(levels)) }
    mutating func trade(_ trade: MarketDataV2Trade) { self.trade = trade }
    mutating func reply(_ reply: WSAPIReply) {}
}

func same(_ a: L2Change, _ b: L2Change) -> Bool {
    a.side == b.side && a.price.mantissa == b.price.mantissa && a.price.scale == b.price.scale
        && a.quantity.mantissa == b.quantity.mantissa && a.quantity.scale == b.quantity.scale
}

struct Sink: WSAPIMarketHandler {
    var books = BookSet()
    var continuity = [DepthContinuity](repeating: DepthContinuity(), count: 8)
    var frame = UnsafeRawBufferPointer(start: nil, count: 0)

    mutating func depthUpdate(_ update: WSAPIDepthUpdate, levels: UnsafeBufferPointer<L2Change>) {
        for level in levels where !level.price.isPositive || level.quantity.isNegative {
            fail("level \(level) handed over", frame)
        }
        let i = update.symbol.index
        guard i < continuity.count else { fail("symbol id \(i) beyond the table", frame) }
        let before = continuity[i].lastUpdateID
        switch continuity[i].accept(first: update.firstUpdateID, last: update.lastUpdateID) {
        case .applySnapshot, .applySnapshotWithRange:
            books.reset(update.symbol)
            books.l2Updates(symbol: update.symbol, changes: levels, carriesSnapshotExtras: false)
        case .applyDiff:
            if let before, update.lastUpdateID <= before { fail("applied u \(update.lastUpdateID) after \(before)", frame) }
            books.l2Updates(symbol: update.symbol, changes: levels, carriesSnapshotExtras: false)
        case .gap:
            books.reset(update.symbol)
            continuity[i].resubscribed()
        case .dropStale, .dropResyncing:
            break
        }
        if let book = books.book(update.symbol) { check(book) }
    }

    mutating func trade(_ trade: MarketDataV2Trade) {
        if !trade.price.isPositive || !trade.quantity.isPositive { fail("trade \(trade)", frame) }
        books.trade(trade)
    }

    mutating func reply(_ reply: WSAPIReply) { _ = reply.outcome; _ = reply.isOrderNotFound }

    func check(_ book: L2OrderBook) {
        let bids = book.topBids(64), asks = book.topAsks(64)
        for i in bids.indices {
            if !bids[i].quantity.isPositive { fail("bid level with quantity \(bids[i].quantity)", frame) }
            if i > 0, !(bids[i - 1].price > bids[i].price) { fail("bids not strictly descending: \(bids)", frame) }
        }
        for i in asks.indices {
            if !asks[i].quantity.isPositive { fail("ask level with quantity \(asks[i].quantity)", frame) }
            if i > 0, !(asks[i - 1].price < asks[i].price) { fail("asks not strictly ascending: \(asks)", frame) }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    var decoder = WSAPIMarketDecoder(symbols: knownSymbols)
    var sink = Sink()
    var start = 0, frames = 0
    while start <= size, frames < 64 {
        var end = start
        while end < size, input[end] != 0x0A { end += 1 }
        frames += 1
        withExactCopy(UnsafeRawBufferPointer(rebasing: input[start..<end])) { frame in
            sink.frame = frame
            var fast = WSAPIMarketDecoder(symbols: knownSymbols)
            switch fast.fastFrame(frame) {
            case .depth(let update, let count):
                let fastLevels = Array(fast.fastLevels[0..<count])
                var general = WSAPIMarketDecoder(symbols: knownSymbols)
                var recorder = Recorder()
                guard let kind = try? general.decodeFrame(frame, into: &recorder), kind == .depthUpdate,
                      let (header, levels) = recorder.depth else { fail("fast path accepted, general path did not", frame) }
                if header != update { fail("headers differ: \(header) vs \(update)", frame) }
                if levels.count != fastLevels.count || !zip(levels, fastLevels).allSatisfy(same) {
                    fail("levels differ: \(levels) vs \(fastLevels)", frame)
                }
            case .trade(let trade):
                var general = WSAPIMarketDecoder(symbols: knownSymbols)
                var recorder = Recorder()
                guard let kind = try? general.decodeFrame(frame, into: &recorder), kind == .trade,
                      let other = recorder.trade else { fail("fast path took a trade, general path did not", frame) }
                if other != trade || "\(other.price) \(other.quantity)" != "\(trade.price) \(trade.quantity)" {
                    fail("trades differ: \(other) vs \(trade)", frame)
                }
            case .general:
                break
            }
            _ = try? decoder.decode(frame, into: &sink)
            let bytes = Array(frame)
            if case .orderUpdate(let update)? = try? WSAPIAccountDecoder.decode(bytes) {
                for report in OrderReport.reports(wsapi: update) {
                    if report.orderID.rawValue != update.orderID { fail("report for order \(report.orderID)", frame) }
                    if let e = report.execution, !e.amount.isPositive { fail("execution of \(e.amount)", frame) }
                }
                _ = OrderSnapshot(wsapi: update, placed: nil)
            }
        }
        start = end + 1
    }
    return 0
}
