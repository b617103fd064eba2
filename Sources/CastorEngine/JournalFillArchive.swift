import CastorCore
import CastorJournal
import CastorTrading

/// The journal as the fill ledger's archive: the trade ids and per-order sums the ledger
/// no longer keeps in memory (`FillRetention`), answered by the journal's indexes.
///
/// A failed read answers "not journaled" / zero. That errs towards counting a fill again in
/// memory rather than dropping a real one (a position too large is safer for risk than one
/// too small), and the journal write that follows the count fails the same way, which stops
/// trading (`journalFailed`); the journal's primary key never stores the fill twice.
struct JournalFillArchive: FillArchive {
    let journal: Journal

    func containsFill(_ tradeID: TradeID) -> Bool {
        (try? journal.containsFill(tradeID: tradeID.rawValue)) ?? false
    }

    func executedAmount(orderID: String, excluding: TradeID?) -> ExactDecimal {
        (try? journal.executedAmount(orderID: orderID, excludingTradeID: excluding?.rawValue)) ?? .zero
    }
}
