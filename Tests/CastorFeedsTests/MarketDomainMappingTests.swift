import CastorCore
import Dispatch
import GeminiProtocol
import Testing
@testable import CastorFeeds

/// The market-data adapter reports in domain terms: Gemini's `MarketDataV2Trade` becomes a
/// `MarketTradeReport`, the decoder's `SymbolID` a `BookIndex` of the engine's `MarketBooks`.
@Suite struct MarketDomainMappingTests {
    static let btc = SymbolID(rawValue: 0)

    @Test func aWireTradeMapsToADomainTrade() {
        let wire = MarketDataV2Trade(symbol: Self.btc, eventID: 17_000_000_123, timestampMs: 1_700_000_000_321,
                                     price: ExactDecimal("60050.25")!, quantity: ExactDecimal("0.125")!, takerSide: .sell)
        let trade = MarketTradeReport(gemini: wire, symbol: "BTCUSD")
        #expect(trade == MarketTradeReport(symbol: "BTCUSD", tradeID: 17_000_000_123, price: ExactDecimal("60050.25")!,
                                           amount: ExactDecimal("0.125")!, takerSide: .sell, timestampMs: 1_700_000_000_321,
                                           fromSnapshot: false))
        #expect(TradeID(trade.tradeID) == TradeID("17000000123"))
    }

    @Test func theTradeIDIsTidWhenGeminiSendsOneAndSnapshotHistoryIsMarked() {
        let wire = MarketDataV2Trade(symbol: Self.btc, eventID: 5, timestampMs: 1, price: ExactDecimal(1),
                                     quantity: ExactDecimal(2), takerSide: .buy, tid: 99, fromSnapshot: true)
        let trade = MarketTradeReport(gemini: wire, symbol: "ETHUSD")
        #expect(trade.tradeID == 99)
        #expect(trade.fromSnapshot)
        #expect(trade.symbol == Symbol("ethusd"))
        let huge = MarketDataV2Trade(symbol: Self.btc, eventID: .max, timestampMs: 1, price: ExactDecimal(1),
                                     quantity: ExactDecimal(2), takerSide: .buy)
        #expect(MarketTradeReport(gemini: huge, symbol: "BTCUSD").tradeID == .max)
    }

    @Test func bookIndexesAreTheBooksPositionsAndTheDecodersIds() {
        let queue = DispatchQueue(label: "test.engine")
        let books = MarketBooks(symbols: ["btcusd", "ETHUSD", "BTCUSD"], queue: queue)
        #expect(books.symbols == [Symbol("BTCUSD"), Symbol("ETHUSD")])
        let table = books.makeSymbolTable()
        for (i, symbol) in books.symbols.enumerated() {
            let index = BookIndex(rawValue: UInt16(i))
            #expect(books.index(of: symbol) == index)
            #expect(books.index(of: symbol.rawValue.lowercased()) == index)
            #expect(books.symbol(at: index) == symbol)
            #expect(books.name(of: index) == symbol.rawValue)
            let id = books.id(of: symbol.rawValue)!
            #expect(BookIndex(gemini: id) == index)
            #expect(SymbolID(index) == id)
            #expect(table.name(of: id) == symbol.rawValue)
        }
        #expect(books.index(of: Symbol("SOLUSD")) == nil)
        #expect(books.symbol(at: BookIndex(rawValue: 2)) == nil)
        #expect(books.name(of: BookIndex(rawValue: 2)) == "#2")
        #expect(queue.sync { books.book(BookIndex(rawValue: 0)) } == nil)   // no snapshot yet
    }
}
