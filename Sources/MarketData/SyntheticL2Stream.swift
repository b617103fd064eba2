import CastorCore
/// A deterministic synthetic market data v2 recording, for benchmarks and tests.
///
/// Two shapes. The default (`init(messages:symbols:seed:)`, issue 2's stream): per symbol, first a snapshot `l2_updates` (~100 levels each side plus a `trades`
/// array), then interleaved deltas shaped like real traffic: 1–3 changes near the top of
/// the book, prices on a 0.01 grid, quantities with up to 8 decimals, ~20 % removals
/// (`"0"`), occasional `trade` messages and heartbeats, and about one line in ten with the
/// `<unix time>: ` prefix recorders add. The book never crosses. The same parameters give
/// the same bytes (SplitMix64 generator, no clock, no hashing).
///
/// The deep shape (`init(messages:symbols:seed:depth:span:tradeFraction:farLevels:)`, see
/// `generateDeep`): `depth` levels a side, updates anywhere within `span` ticks of the
/// touch, a given fraction of `trade` messages, optionally far levels off the grid's range.
public struct SyntheticL2Stream {
    public var messages: Int
    public var symbols: Int
    public var seed: UInt64
    /// The deep shape's parameters; nil for the default shape.
    public var deep: DeepShape?

    /// The deep shape: how many levels a side, over how many ticks from the touch updates
    /// land, and how much of the traffic is trades.
    public struct DeepShape: Sendable, Equatable {
        /// Levels a side in the snapshot, and the level count the updates keep a side near.
        public var depth: Int
        /// Updates land on a tick uniformly within this many ticks of the side's touch.
        public var span: Int
        /// Fraction of messages (after the snapshots) that are `trade` messages.
        public var tradeFraction: Double
        /// Levels a side placed far from the touch (10 % to 90 % away in price), outside
        /// any ladder around it; one change in a hundred updates one of them.
        public var farLevels: Int

        public init(depth: Int, span: Int, tradeFraction: Double, farLevels: Int = 0) {
            self.depth = max(1, depth)
            self.span = max(1, span)
            self.tradeFraction = min(1, max(0, tradeFraction))
            self.farLevels = max(0, farLevels)
        }
    }

    public init(messages: Int, symbols: Int = 4, seed: UInt64 = 1) {
        self.messages = messages
        self.symbols = max(1, symbols)
        self.seed = seed
    }

    public init(messages: Int, symbols: Int, seed: UInt64 = 1, deep: DeepShape) {
        self.init(messages: messages, symbols: symbols, seed: seed)
        self.deep = deep
    }

    static let names = ["BTCUSD", "ETHUSD", "SOLUSD", "ETHBTC", "LTCUSD", "DOGEUSD", "LINKUSD", "BTCGUSDPERP"]
    static let basePrices: [Int] = [3_000_000, 200_000, 10_000, 6_000, 8_000, 1_000, 1_500, 3_000_100]

    private struct Book {
        var name: String
        /// Ticks (0.01), best first: bids descending, asks ascending.
        var bids: [Int] = []
        var asks: [Int] = []
    }

    typealias Rng = SplitMix64

    /// The whole recording as bytes, one message per line.
    public func generate() -> [UInt8] {
        if let deep { return generateDeep(deep) }
        var rng = Rng(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(messages * 110)
        var books: [Book] = (0..<symbols).map { i in
            Book(name: i < SyntheticL2Stream.names.count ? SyntheticL2Stream.names[i] : "SYM\(i)USD")
        }
        var clockMs: Int64 = 1_624_493_666_869
        var eventID: UInt64 = 45_465_818_000
        var written = 0

        func line(_ body: String, _ rng: inout Rng) {
            if rng.below(10) == 0 {
                out.append(contentsOf: "\(clockMs / 1000).\(pad3(clockMs % 1000)): ".utf8)
            }
            out.append(contentsOf: body.utf8)
            out.append(0x0A)
            written += 1
        }

        for i in books.indices where written < messages {
            let base = SyntheticL2Stream.basePrices[i % SyntheticL2Stream.basePrices.count] + i / 8 * 1000
            var changes: [String] = []
            var bid = base - 1, ask = base + 1
            for _ in 0..<100 {
                books[i].bids.append(bid); books[i].asks.append(ask)
                changes.append("[\"buy\",\"\(price(bid))\",\"\(quantity(&rng))\"]")
                changes.append("[\"sell\",\"\(price(ask))\",\"\(quantity(&rng))\"]")
                bid -= 1 + rng.below(3); ask += 1 + rng.below(3)
            }
            var trades: [String] = []
            for k in 0..<50 {
                trades.append(tradeJSON(books[i].name, eventID - UInt64(k), clockMs - Int64(k * 700),
                                        base, quantity(&rng), rng.below(2) == 0))
            }
            line("{\"type\":\"l2_updates\",\"symbol\":\"\(books[i].name)\",\"changes\":[\(changes.joined(separator: ","))],\"trades\":[\(trades.joined(separator: ","))]}", &rng)
        }

        while written < messages {
            clockMs += Int64(rng.below(40))
            let roll = rng.below(1000)
            let s = rng.below(books.count)
            if roll < 5 {
                line("{\"type\":\"heartbeat\",\"timestamp\":\(clockMs)}", &rng)
            } else if roll < 60 {
                eventID += 1
                let buy = rng.below(2) == 0
                let p = buy ? books[s].asks[0] : books[s].bids[0]
                line(tradeJSON(books[s].name, eventID, clockMs, p, quantity(&rng), buy), &rng)
            } else {
                let n = 1 + rng.below(3)
                var changes: [String] = []
                for _ in 0..<n { changes.append(delta(&books[s], &rng)) }
                line("{\"type\":\"l2_updates\",\"symbol\":\"\(books[s].name)\",\"changes\":[\(changes.joined(separator: ","))]}", &rng)
            }
        }
        return out
    }

    /// One change near the top: ~20 % removals, else an update of an existing level or a
    /// new level inside or just behind the spread, never crossing the other side.
    private func delta(_ book: inout Book, _ rng: inout Rng) -> String {
        let buy = rng.below(2) == 0
        let side = buy ? "buy" : "sell"
        var levels = buy ? book.bids : book.asks
        let other = buy ? book.asks[0] : book.bids[0]
        let depth = min(levels.count - 1, rng.below(4) == 0 ? rng.below(20) : rng.below(5))
        let roll = rng.below(10)
        var text: String
        if roll < 2 && levels.count > 60 {
            text = "[\"\(side)\",\"\(price(levels[depth]))\",\"0\"]"
            levels.remove(at: depth)
        } else if roll < 6 || levels.count > 140 {
            text = "[\"\(side)\",\"\(price(levels[depth]))\",\"\(quantity(&rng))\"]"
        } else {
            // A new level: improve the top by a tick (if the spread allows) or fill a gap.
            let top = levels[0]
            var p = buy ? top + 1 : top - 1
            if (buy && p >= other) || (!buy && p <= other) || rng.below(2) == 0 {
                p = buy ? levels[depth] - 1 : levels[depth] + 1
            }
            if let at = levels.firstIndex(where: { buy ? $0 <= p : $0 >= p }) {
                if levels[at] != p { levels.insert(p, at: at) }
            } else {
                levels.append(p)
            }
            text = "[\"\(side)\",\"\(price(p))\",\"\(quantity(&rng))\"]"
        }
        if buy { book.bids = levels } else { book.asks = levels }
        return text
    }

    func tradeJSON(_ symbol: String, _ id: UInt64, _ ms: Int64, _ ticks: Int, _ qty: String, _ buy: Bool) -> String {
        "{\"type\":\"trade\",\"symbol\":\"\(symbol)\",\"event_id\":\(id),\"timestamp\":\(ms),\"price\":\"\(price(ticks))\",\"quantity\":\"\(qty)\",\"side\":\"\(buy ? "buy" : "sell")\"}"
    }

    func price(_ ticks: Int) -> String {
        let cents = ticks % 100
        return "\(ticks / 100)." + (cents < 10 ? "0" : "") + String(cents)
    }

    /// Up to 8 decimals, trailing zeros trimmed as Gemini does for some symbols.
    func quantity(_ rng: inout Rng) -> String {
        let units = 1 + rng.below(2_000_000_000)
        var frac = String(units % 100_000_000)
        frac = String(repeating: "0", count: 8 - frac.count) + frac
        let places = 1 + rng.below(8)
        let trimmed = frac.prefix(places)
        return "\(units / 100_000_000).\(trimmed == String(repeating: "0", count: places) ? "1" : String(trimmed))"
    }

    func pad3(_ v: Int64) -> String {
        v < 10 ? "00\(v)" : (v < 100 ? "0\(v)" : "\(v)")
    }
}

extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
