import CastorCore
import CastorJournal

func dec(_ text: String) -> ExactDecimal { ExactDecimal(text)! }

func makeFill(_ tradeID: String, side: Side = .buy, symbol: String = "btcusd", price: String = "3632.8508430064554",
              amount: String = "0.00000001", fee: String = "0.024937655575035", ts: Int64 = 1_547_232_911_021) -> JournalFill {
    JournalFill(tradeID: tradeID, orderID: "o-\(tradeID)", clientOrderID: "c-\(tradeID)", symbol: symbol, side: side,
                price: dec(price), amount: dec(amount), fee: dec(fee), feeCurrency: "usd", liquidity: .taker, timestampMs: ts)
}

func makeIntent(_ id: String, created: Int64 = 1_000) -> JournalIntent {
    JournalIntent(clientOrderID: id, strategy: "mm-1", symbol: "BTCUSD", side: .sell, price: dec("3633.00"),
                  amount: dec("0.00000001"), options: ["maker-or-cancel"], createdMs: created)
}

/// The venue and account most journal tests use (any scope behaves the same).
let scope = JournalScope(venue: "sandbox", account: nil)
