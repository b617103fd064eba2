import CastorCore

// The deep shape of `SyntheticL2Stream`: books as deep as real Gemini ones, with traffic
// across the whole depth rather than at the touch.
//
// Per symbol, first a snapshot `l2_updates`: `depth` levels a side chosen at random among
// the `max(span, depth)` ticks (0.01) behind the touch, plus `farLevels` a side far away,
// and a `trades` array. Then, interleaved at random over the symbols: `trade` messages
// (`tradeFraction` of the lines, at the touch), heartbeats (0.5 %), and `l2_updates` of one
// to three changes. A change picks a tick uniformly within `span` ticks of its side's
// current touch: an existing level is removed (at the rate that keeps the side near `depth`
// levels) or gets a new quantity, an empty tick gets a new level. One change in twenty
// improves the touch by a tick when the spread allows, and removing the touch moves it back
// to the next level, so the touch wanders. Never a removal of an absent level, never a
// crossed book. The same parameters give the same bytes (no iteration over hashed sets).
extension SyntheticL2Stream {
    private struct DeepSide {
        /// +1 for bids (better is higher), -1 for asks.
        let sign: Int
        var present: Set<Int> = []
        /// Levels on the side (all of `present`).
        var count = 0
        /// The touch (best price), in ticks.
        var best = 0
        /// Far levels, in ticks (kept in an array so picking one is deterministic).
        var far: [Int] = []

        init(sign: Int) { self.sign = sign }

        /// `ticks` behind the touch (0 is the touch).
        func tick(behind offset: Int) -> Int { best - sign * offset }
    }

    private struct DeepBook {
        var name: String
        var bids = DeepSide(sign: 1)
        var asks = DeepSide(sign: -1)
    }

    func generateDeep(_ shape: DeepShape) -> [UInt8] {
        var rng = Rng(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(messages * 120 + symbols * shape.depth * 64)
        var clockMs: Int64 = 1_624_493_666_869
        var eventID: UInt64 = 45_465_818_000
        var written = 0
        let tradeCutoff = UInt64((shape.tradeFraction * 1_000_000).rounded())
        // Removing a present level at rate r against inserting on every empty tick hit keeps
        // the window's occupancy at depth/span: r = (span - depth) / depth.
        let window = max(shape.span, shape.depth)
        let removalPerMille = max(50, min(1000, (window - shape.depth) * 1000 / shape.depth))

        func line(_ body: String, _ rng: inout Rng) {
            if rng.below(10) == 0 {
                out.append(contentsOf: "\(clockMs / 1000).\(pad3(clockMs % 1000)): ".utf8)
            }
            out.append(contentsOf: body.utf8)
            out.append(0x0A)
            written += 1
        }

        var books: [DeepBook] = (0..<symbols).map { i in
            DeepBook(name: i < SyntheticL2Stream.names.count ? SyntheticL2Stream.names[i] : "SYM\(i)USD")
        }

        for i in books.indices where written < messages {
            let base = SyntheticL2Stream.basePrices[i % SyntheticL2Stream.basePrices.count] + i / 8 * 1000
            var changes: [String] = []
            changes.reserveCapacity(2 * (shape.depth + shape.farLevels))
            books[i].bids.best = base - 1
            books[i].asks.best = base + 1
            for s in 0..<2 {
                var side = s == 0 ? books[i].bids : books[i].asks
                let label = s == 0 ? "buy" : "sell"
                // Selection sampling: exactly `depth` of the `window` ticks, the touch included.
                var needed = shape.depth
                for offset in 0..<window where needed > 0 {
                    if offset == 0 || rng.below(window - offset) < needed {
                        let t = side.tick(behind: offset)
                        side.present.insert(t)
                        needed -= 1
                        changes.append("[\"\(label)\",\"\(price(t))\",\"\(quantity(&rng))\"]")
                    }
                }
                side.count = shape.depth
                for _ in 0..<shape.farLevels {
                    // 10 %…90 % of the price away (bids below, asks above), off the window.
                    let away = base / 10 + rng.below(max(1, base * 8 / 10))
                    let t = side.best - side.sign * (window + away)
                    guard t > 0, !side.present.contains(t) else { continue }
                    side.present.insert(t)
                    side.far.append(t)
                    side.count += 1
                    changes.append("[\"\(label)\",\"\(price(t))\",\"\(quantity(&rng))\"]")
                }
                if s == 0 { books[i].bids = side } else { books[i].asks = side }
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
            let s = rng.below(books.count)
            if rng.next() % 1_000_000 < tradeCutoff {
                eventID += 1
                let buy = rng.below(2) == 0
                let p = buy ? books[s].asks.best : books[s].bids.best
                line(tradeJSON(books[s].name, eventID, clockMs, p, quantity(&rng), buy), &rng)
            } else if rng.below(200) == 0 {
                line("{\"type\":\"heartbeat\",\"timestamp\":\(clockMs)}", &rng)
            } else {
                let n = 1 + rng.below(3)
                var changes: [String] = []
                for _ in 0..<n {
                    changes.append(deepDelta(&books[s], shape, removalPerMille: removalPerMille, &rng))
                }
                line("{\"type\":\"l2_updates\",\"symbol\":\"\(books[s].name)\",\"changes\":[\(changes.joined(separator: ","))]}", &rng)
            }
        }
        return out
    }

    /// One change somewhere within `span` of a side's touch (or, rarely, at a far level).
    private func deepDelta(_ book: inout DeepBook, _ shape: DeepShape, removalPerMille: Int, _ rng: inout Rng) -> String {
        let buy = rng.below(2) == 0
        let label = buy ? "buy" : "sell"
        var side = buy ? book.bids : book.asks
        let otherBest = buy ? book.asks.best : book.bids.best
        defer { if buy { book.bids = side } else { book.asks = side } }

        if !side.far.isEmpty, rng.below(100) == 0 {
            let t = side.far[rng.below(side.far.count)]
            return "[\"\(label)\",\"\(price(t))\",\"\(quantity(&rng))\"]"
        }
        // Improve the touch by a tick, if that leaves a spread.
        let better = side.best + side.sign
        if rng.below(20) == 0, (buy ? better < otherBest : better > otherBest) {
            side.present.insert(better)
            side.count += 1
            side.best = better
            return "[\"\(label)\",\"\(price(better))\",\"\(quantity(&rng))\"]"
        }
        let t = side.tick(behind: rng.below(shape.span))
        guard t > 0 else { return "[\"\(label)\",\"\(price(side.best))\",\"\(quantity(&rng))\"]" }
        if side.present.contains(t) {
            // Remove more eagerly when the side is over its depth, less when under.
            let rate = side.count > shape.depth + shape.depth / 20 ? min(1000, removalPerMille * 2)
                : (side.count < shape.depth - shape.depth / 20 ? removalPerMille / 2 : removalPerMille)
            if side.count > 1, rng.below(1000) < rate {
                side.present.remove(t)
                side.count -= 1
                if t == side.best {
                    var next = t - side.sign
                    while !side.present.contains(next) { next -= side.sign }
                    side.best = next
                }
                return "[\"\(label)\",\"\(price(t))\",\"0\"]"
            }
            return "[\"\(label)\",\"\(price(t))\",\"\(quantity(&rng))\"]"
        }
        side.present.insert(t)
        side.count += 1
        return "[\"\(label)\",\"\(price(t))\",\"\(quantity(&rng))\"]"
    }
}
