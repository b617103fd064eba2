import CastorCore
import Foundation
import Testing

/// The domain vocabulary (`Sources/CastorCore/Vocabulary`): sides, symbols, ids, order
/// options and backoff, tested where they are defined.
@Suite struct VocabularyTests {
    @Test func sidesAndBookSides() throws {
        #expect(Side(wireValue: "Buy") == .buy)
        #expect(Side(wireValue: "SELL") == .sell)
        #expect(Side(wireValue: "bid") == nil)
        #expect(Side.buy.bookSide == .bid && Side.sell.bookSide == .ask)
        #expect(Side(restingOn: .ask) == .sell)
        #expect(BookSide.bid.takerSide == .sell && BookSide.ask.takerSide == .buy)
        #expect(BookSide(wireValue: "sell") == .ask)
        #expect(Side.buy.opposite == .sell && BookSide.bid.opposite == .ask)
        #expect(try JSONDecoder().decode([Side].self, from: Data(#"["Buy","sell"]"#.utf8)) == [.buy, .sell])
    }

    @Test func symbolsCompareCaseInsensitivelyAndAreNeverSplit() throws {
        #expect(Symbol("btcusd") == Symbol("BTCUSD"))
        #expect(Symbol("btcgusdperp").rawValue == "BTCGUSDPERP")
        #expect(Symbol("1inchusd").lowercased == "1inchusd")
        #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode(Symbol.self, from: Data(#""""#.utf8)) }
    }

    @Test func validation() {
        #expect(ClientOrderID("a:b-c_d.e#F9") != nil)
        #expect(ClientOrderID.validate("") == .empty)
        #expect(ClientOrderID.validate(String(repeating: "a", count: 37)) == .tooLong(length: 37))
        #expect(ClientOrderID(String(repeating: "a", count: 36)) != nil)
        #expect(ClientOrderID.validate("a b") == .invalidCharacter(" "))
        #expect(ClientOrderID.validate("é") == .invalidCharacter("é"))
        #expect(ClientOrderID("a/b") == nil)
    }

    @Test func fullJitterStaysWithinBounds() {
        let b = Backoff(baseMs: 100, capMs: 5_000)
        #expect(b.ceiling(attempt: 0) == 100 && b.ceiling(attempt: 3) == 800 && b.ceiling(attempt: 6) == 5_000)
        #expect(b.ceiling(attempt: 500) == 5_000)
        var rng = SeededRandom(seed: 42)
        for n in 0..<12 {
            var lo = Int64.max, hi = Int64.min
            for _ in 0..<2_000 {
                let v = b.delay(attempt: n, using: &rng)
                #expect(v >= 0 && v <= min(5_000, 100 << Int64(n)))
                lo = min(lo, v); hi = max(hi, v)
            }
            // Full jitter really uses the whole range.
            let ceiling = b.ceiling(attempt: n)
            #expect(lo <= ceiling / 10 && hi >= ceiling * 9 / 10)
        }
        // Same seed, same delays.
        var r1 = SeededRandom(seed: 9), r2 = SeededRandom(seed: 9)
        #expect((0..<10).map { b.delay(attempt: $0, using: &r1) } == (0..<10).map { b.delay(attempt: $0, using: &r2) })
    }

    @Test func tradeIDsAreCanonicalAndOrderedNumerically() {
        #expect(TradeID("007") == TradeID(7) && TradeID("007").rawValue == "7")
        #expect(TradeID("000").rawValue == "0")
        #expect(TradeID("abc").rawValue == "abc")
        #expect(TradeID(9) < TradeID(10) && TradeID("99") < TradeID("100"))
    }

    @Test func orderOptionRawValuesAreGeminiSpelling() {
        #expect(OrderOption.allCases.map(\.rawValue) == ["maker-or-cancel", "immediate-or-cancel", "fill-or-kill"])
        #expect(OrderOption(rawValue: "maker-or-cancel") == .makerOrCancel)
        #expect(OrderOption(rawValue: "") == nil)
    }

    @Test func sideRawValuesAndEncodingAreLowerCase() throws {
        #expect(Side.allCases.map(\.rawValue) == ["buy", "sell"])
        #expect(String(decoding: try JSONEncoder().encode([Side.buy, .sell]), as: UTF8.self) == #"["buy","sell"]"#)
        #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode(Side.self, from: Data(#""bid""#.utf8)) }
    }
}
