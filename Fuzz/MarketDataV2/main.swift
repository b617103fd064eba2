// libFuzzer harness: the market data v2 decoder into books, and the fast `l2_updates`
// scanner against the general decoding path.
//
// Input: one or more messages separated by '\n' (a snapshot then deltas reach the books'
// delta path). Each message is copied into its own exactly-sized heap buffer so that
// AddressSanitizer sees any read past the end of a frame.
//
// Oracles:
// - no trap / no ASan report anywhere (decode, book apply, top-of-book reads);
// - whatever the fast scanner accepts, the general path (forced by an extra key) accepts
//   too, with the same symbol and bit-identical changes;
// - books stay sorted (bids descending, asks ascending) with positive quantities.

import Glibc

/// Records what the decoder emitted for one message.
struct Recorder: MarketDataV2Handler {
    var symbol: SymbolID?
    var changes: [L2Change] = []
    var extras = false
    var l2Calls = 0
    mutating func l2Updates(symbol: SymbolID, changes: UnsafeBufferPointer<L2Change>, carriesSnapshotExtras: Bool) {
        self.symbol = symbol
        self.changes = Array(changes)
        extras = carriesSnapshotExtras
        l2Calls += 1
    }
}

/// A BookSet plus the other callbacks, so every message kind reaches real code.
struct Sink: MarketDataV2Handler {
    var books = BookSet()
    var touched: [SymbolID] = []
    mutating func l2Updates(symbol: SymbolID, changes: UnsafeBufferPointer<L2Change>, carriesSnapshotExtras: Bool) {
        books.l2Updates(symbol: symbol, changes: changes, carriesSnapshotExtras: carriesSnapshotExtras)
        touched.append(symbol)
    }
    mutating func trade(_ trade: MarketDataV2Trade) { books.trade(trade) }
    mutating func heartbeat(timestampMs: Int64?) { books.heartbeat(timestampMs: timestampMs) }
    mutating func candle(_ candle: CandleUpdate) { books.candle(candle) }
    mutating func markPrice(_ update: MarkPriceUpdate) { books.markPrice(update) }
    mutating func fundingAmount(_ update: FundingAmountUpdate) { books.fundingAmount(update) }
    mutating func auction(_ event: AuctionEvent) { books.auction(event) }
    mutating func subscriptionReply(_ reply: SubscriptionReply) { books.subscriptionReply(reply) }
    mutating func unknownMessage(type: UnsafeRawBufferPointer) { books.unknownMessage(type: type) }
}

func fail(_ message: String, _ bytes: UnsafeRawBufferPointer) -> Never {
    let text = String(decoding: bytes, as: UTF8.self)
    fputs("FUZZ ORACLE FAILED: \(message)\n  message: \(text.debugDescription)\n", stderr)
    abort()
}

let knownSymbols = ["BTCUSD", "ETHUSD", "BTCGUSDPERP", "SOLUSD", "ETHBTC"]

/// Runs `body` over a private, exactly-sized copy of `bytes`.
func withExactCopy<R>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let n = bytes.count
    let p = malloc(max(n, 1))!
    defer { free(p) }
    if n > 0 { memcpy(p, bytes.baseAddress!, n) }
    return body(UnsafeRawBufferPointer(start: p, count: n))
}

/// The fast scanner's own verdict on `message`, called directly (not through `decode`).
func fastVerdict(_ message: UnsafeRawBufferPointer, _ table: SymbolTable) -> (SymbolID, [L2Change])? {
    guard let base = message.baseAddress, message.count > 0 else { return nil }
    let p = base.assumingMemoryBound(to: UInt8.self)
    let capacity = MarketDataV2Decoder.fastChangeCapacity
    let out = UnsafeMutablePointer<L2Change>.allocate(capacity: capacity)
    defer { out.deallocate() }
    var symbolStart = 0, symbolLength = 0
    let count = MarketDataV2Decoder.scanL2(p, message.count, into: out, capacity: capacity,
                                           symbolStart: &symbolStart, symbolLength: &symbolLength)
    guard count >= 0 else { return nil }
    guard let id = table.lookup(UnsafeRawBufferPointer(start: p + symbolStart, count: symbolLength)) else { return nil }
    let changes = Array(UnsafeBufferPointer(start: out, count: count))
    out.deinitialize(count: count)
    return (id, changes)
}

/// `message` with `"_fz":0,` inserted after its opening brace: a key the fast path does not
/// know, so `decode` must take the general path. nil if there is no leading '{'.
func forcedGeneral(_ message: UnsafeRawBufferPointer) -> [UInt8]? {
    var i = 0
    while i < message.count, message[i] == 0x20 || message[i] == 0x0A || message[i] == 0x0D || message[i] == 0x09 { i += 1 }
    guard i < message.count, message[i] == 0x7B else { return nil }
    var out = Array(message[0...i])
    out.append(contentsOf: Array("\"_fz\":0,".utf8))
    out.append(contentsOf: message[(i + 1)...])
    return out
}

func same(_ a: L2Change, _ b: L2Change) -> Bool {
    a.side == b.side && a.price.mantissa == b.price.mantissa && a.price.scale == b.price.scale
        && a.quantity.mantissa == b.quantity.mantissa && a.quantity.scale == b.quantity.scale
}

func checkBook(_ book: L2OrderBook, _ message: UnsafeRawBufferPointer) {
    let bids = book.topBids(64), asks = book.topAsks(64)
    for i in bids.indices {
        if !bids[i].quantity.isPositive { fail("bid level with quantity \(bids[i].quantity)", message) }
        if i > 0, !(bids[i - 1].price > bids[i].price) { fail("bids not strictly descending: \(bids)", message) }
    }
    for i in asks.indices {
        if !asks[i].quantity.isPositive { fail("ask level with quantity \(asks[i].quantity)", message) }
        if i > 0, !(asks[i - 1].price < asks[i].price) { fail("asks not strictly ascending: \(asks)", message) }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    var decoder = MarketDataV2Decoder(symbols: SymbolTable(knownSymbols))
    var sink = Sink()
    var start = 0
    var messages = 0
    while start <= size, messages < 64 {
        var end = start
        while end < size, input[end] != 0x0A { end += 1 }
        let line = UnsafeRawBufferPointer(rebasing: input[start..<end])
        messages += 1
        withExactCopy(line) { message in
            // 1. Differential: fast scanner vs. general path.
            let table = decoder.symbols
            if let (symbol, fastChanges) = fastVerdict(message, table), let forced = forcedGeneral(message) {
                var general = MarketDataV2Decoder(symbols: table)
                var rec = Recorder()
                let result: Result<MarketDataV2MessageKind, MarketDataV2DecodingError> = forced.withUnsafeBytes { b in
                    withExactCopy(b) { exact in
                        do throws(MarketDataV2DecodingError) { return .success(try general.decode(exact, into: &rec)) }
                        catch { return .failure(error) }
                    }
                }
                let kind: MarketDataV2MessageKind
                switch result {
                case .success(let k): kind = k
                case .failure(let error): fail("fast path accepted, general path threw \(error)", message)
                }
                if kind != .l2Updates || rec.l2Calls != 1 { fail("general path gave \(kind) calls \(rec.l2Calls)", message) }
                if rec.symbol != symbol { fail("symbol differs: fast \(symbol) general \(String(describing: rec.symbol))", message) }
                if rec.extras { fail("general path saw snapshot extras", message) }
                if rec.changes.count != fastChanges.count || !zip(rec.changes, fastChanges).allSatisfy({ same($0, $1) }) {
                    fail("changes differ:\n  fast    \(fastChanges)\n  general \(rec.changes)", message)
                }
            }
            // 2. The production path: decode (fast first, then general) into books.
            sink.touched.removeAll(keepingCapacity: true)
            _ = try? decoder.decode(message, into: &sink)
            for s in sink.touched {
                if let book = sink.books.book(s) {
                    checkBook(book, message)
                }
            }
        }
        start = end + 1
    }
    return 0
}
