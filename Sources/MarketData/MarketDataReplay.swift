import Glibc
import CastorCore
import GeminiProtocol

/// Replays recorded market data v2 — one received message per line — into books.
///
/// Recorders write lines either as bare JSON or with a receive-time prefix,
/// `1624493666.869: {"type":…}`; both are accepted. Lines that are not received messages
/// (blank, comments, other text, JSON that is not an object, `subscribe`/`unsubscribe`
/// requests the recorder sent) are skipped and counted; a `# gap` marker (`castor record`
/// lost the connection and resubscribed) resets the books, so the fresh snapshot after it
/// replaces them rather than landing on levels that went stale during the gap; malformed messages are counted as
/// skipped and also as `malformed`, with the first one kept for the report.
public struct MarketDataReplay {
    /// Received messages decoded and applied.
    public private(set) var messages = 0
    /// Lines that were not applied (including malformed ones).
    public private(set) var skipped = 0
    /// Lines that looked like messages but failed to decode.
    public private(set) var malformed = 0
    /// The first decoding failure: 1-based line number and error.
    public private(set) var firstMalformed: (line: Int, error: MarketDataV2DecodingError)?
    /// Bytes of input processed.
    public private(set) var bytes = 0
    /// The books and symbols built so far.
    public var feed = MarketDataV2Feed()
    /// The recording's API, told at the first frame that decodes: v2 frames always carry
    /// `type`, the new WebSocket API's never do.
    public private(set) var format: Format?
    /// New-API depth frames that broke their symbol's continuity (the book then waits for
    /// the next snapshot, which a reconnected recorder sends first).
    public private(set) var gaps = 0
    private var webSocketDecoder = WSAPIMarketDecoder(symbols: [], registersNewSymbols: true)
    private var continuity: [DepthContinuity] = []

    /// A recording's API.
    public enum Format: Sendable, Equatable { case marketDataV2, webSocketAPI }

    public init() {}

    /// Processes every line of `input`.
    public mutating func run(_ input: UnsafeRawBufferPointer) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        bytes += input.count
        let start = base.assumingMemoryBound(to: UInt8.self)
        let end = start + input.count
        var line = start
        var lineNumber = 0
        while line < end {
            lineNumber += 1
            let found = memchr(line, 0x0A, end - line)
            let nl = found.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? end
            process(line, nl, lineNumber: lineNumber)
            line = nl + 1
        }
    }

    /// Processes one line `[from, to)`.
    @inline(__always)
    private mutating func process(_ from: UnsafePointer<UInt8>, _ to: UnsafePointer<UInt8>, lineNumber: Int) {
        var p = from
        var e = to
        while p < e, p.pointee == 0x20 || p.pointee == 0x09 { p += 1 }
        while e > p, e[-1] == 0x0D || e[-1] == 0x20 || e[-1] == 0x09 { e -= 1 }
        guard p < e else { skipped += 1; return }
        if p.pointee &- 0x30 < 10 { // `<unix time>: ` prefix
            while p < e, p.pointee &- 0x30 < 10 || p.pointee == 0x2E { p += 1 }
            while p < e, p.pointee == 0x20 { p += 1 }
            guard p < e, p.pointee == 0x3A else { skipped += 1; return }
            p += 1
            while p < e, p.pointee == 0x20 || p.pointee == 0x09 { p += 1 }
        }
        if p.pointee == 0x23 { // a comment; `# gap …` (castor record lost the connection)
            if e - p >= 5, memcmp(p, "# gap", 5) == 0 {
                feed.reset()
                for i in continuity.indices { continuity[i].reset() }
            }
            skipped += 1
            return
        }
        guard p < e, p.pointee == 0x7B else { skipped += 1; return }
        let frame = UnsafeRawBufferPointer(start: p, count: e - p)
        if format == .webSocketAPI { return processWebSocketAPI(frame, lineNumber: lineNumber) }
        do {
            let kind = try feed.receive(frame)
            if kind == .outgoingRequest { skipped += 1 } else { messages += 1 }
            format = .marketDataV2
        } catch {
            if format == nil, case .missingField(.type, _) = error {
                format = .webSocketAPI
                return processWebSocketAPI(frame, lineNumber: lineNumber)
            }
            skipped += 1
            malformed += 1
            if firstMalformed == nil { firstMalformed = (lineNumber, error) }
        }
    }

    /// One frame of the new API into the same books (symbols registered in the v2 feed's
    /// table too, in the same order, so both name the same ids). The books and the
    /// continuity states are lent to the handler through pointers for the call (no copy, no
    /// allocation per frame).
    private mutating func processWebSocketAPI(_ frame: UnsafeRawBufferPointer, lineNumber: Int) {
        let known = webSocketDecoder.symbols.count
        // A frame registers at most one symbol: one spare state covers it, so the handler
        // never grows the array.
        if continuity.count <= known { continuity.append(DepthContinuity()) }
        var kind = WSAPIMarketMessageKind.other
        var failure: WSAPIDecodingError?
        var newGaps = 0
        withUnsafeMutablePointer(to: &feed.books) { books in
            continuity.withUnsafeMutableBufferPointer { states in
                var handler = ReplayWSAPIHandler(books: books, continuity: states)
                do throws(WSAPIDecodingError) {
                    kind = try webSocketDecoder.decode(frame, into: &handler)
                    newGaps = handler.gaps
                } catch {
                    failure = error
                }
            }
        }
        if let failure {
            skipped += 1
            malformed += 1
            if firstMalformed == nil {
                firstMalformed = (lineNumber, .invalidValue(.changes, offset: 0))
                firstWebSocketAPIError = failure
            }
            return
        }
        gaps += newGaps
        if webSocketDecoder.symbols.count > known {
            for (id, name) in webSocketDecoder.symbols.all where id.index >= known {
                _ = feed.decoder.symbols.id(for: name.uppercased())
            }
        }
        switch kind {
        case .depthUpdate, .trade: messages += 1
        case .reply, .ignored, .other, .unknownSymbol, .malformedTrade: skipped += 1
        }
    }

    /// The first new-API decoding failure, in that API's terms (`firstMalformed` has the line).
    public private(set) var firstWebSocketAPIError: WSAPIDecodingError?

    /// Books per symbol, top `depth` levels each side, sorted by symbol name.
    public func snapshot(depth: Int) -> [(symbol: String, bids: [L2Level], asks: [L2Level])] {
        feed.decoder.symbols.all.compactMap { (id, name) in
            guard let book = feed.books.book(id) else { return nil }
            return (name, book.topBids(depth), book.topAsks(depth))
        }.sorted { $0.symbol < $1.symbol }
    }

    /// The `--format json` report: exactly
    /// `{"symbols": {"SYM": {"bids": [["price", "qty"], …], "asks": […]}}, "messages": N, "skipped": M, "seconds": S}`
    /// with both sides best first and decimals in plain notation.
    public func jsonReport(depth: Int, seconds: Double) -> String {
        func levels(_ l: [L2Level]) -> String {
            "[" + l.map { "[\"\($0.price)\", \"\($0.quantity)\"]" }.joined(separator: ", ") + "]"
        }
        let symbols = snapshot(depth: depth).map {
            "\(JSONString.quoted($0.symbol)): {\"bids\": \(levels($0.bids)), \"asks\": \(levels($0.asks))}"
        }.joined(separator: ", ")
        return "{\"symbols\": {\(symbols)}, \"messages\": \(messages), \"skipped\": \(skipped), \"seconds\": \(MarketDataReplay.fixed(seconds, places: 6))}"
    }

    /// `value` with exactly `places` decimals, never an exponent.
    public static func fixed(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let units = Int64((max(0, value) * scale).rounded())
        let whole = units / Int64(scale), frac = units % Int64(scale)
        let f = String(frac)
        return places == 0 ? "\(whole)" : "\(whole)." + String(repeating: "0", count: places - f.count) + f
    }
}

/// Applies one new-API frame to the replay's books with per-symbol continuity (a gap
/// empties the book until the next snapshot, `U == u`, which a reconnected recorder sends
/// first). It reaches the replay's books and continuity states (one per symbol the decoder
/// knows, and a spare) through pointers valid for the one decode call: no copy, no
/// allocation, no uniqueness check per frame.
private struct ReplayWSAPIHandler: WSAPIMarketHandler {
    let books: UnsafeMutablePointer<BookSet>
    let continuity: UnsafeMutableBufferPointer<DepthContinuity>
    var gaps = 0

    init(books: UnsafeMutablePointer<BookSet>, continuity: UnsafeMutableBufferPointer<DepthContinuity>) {
        self.books = books
        self.continuity = continuity
    }

    mutating func depthUpdate(_ update: WSAPIDepthUpdate, levels: UnsafeBufferPointer<L2Change>) {
        let i = update.symbol.index
        guard i < continuity.count else { return } // not reached: the replay keeps one state a symbol and a spare
        let verdict = continuity[i].acceptRecorded(first: update.firstUpdateID, last: update.lastUpdateID)
        switch verdict {
        case .applySnapshot, .applySnapshotWithRange:
            books.pointee.reset(update.symbol)
            books.pointee.l2Updates(symbol: update.symbol, changes: levels, carriesSnapshotExtras: false)
        case .applyDiff:
            books.pointee.l2Updates(symbol: update.symbol, changes: levels, carriesSnapshotExtras: false)
        case .gap:
            gaps += 1
            books.pointee.reset(update.symbol)
        case .dropStale, .dropResyncing:
            break
        }
    }

    mutating func trade(_ trade: MarketDataV2Trade) { books.pointee.trade(trade) }
    mutating func reply(_ reply: WSAPIReply) {}
}
