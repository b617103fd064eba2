import CastorCore
import CastorJournal
import CastorTrading

/// The journal as the fill ledger's archive: the trade ids and per-order sums the ledger
/// no longer keeps in memory (`FillRetention`), answered by the journal's indexes. Only
/// fills the ledger's totals include count as known: those journaled when its state was read,
/// and those this engine journaled since.
///
/// A failed read answers "not journaled" / zero. That errs towards counting a fill again in
/// memory rather than dropping a real one (a position too large is safer for risk than one
/// too small), and the journal write that follows the count fails the same way, which stops
/// trading (`journalFailed`); the journal's primary key never stores the fill twice.
struct JournalFillArchive: FillArchive {
    let journal: Journal
    /// `JournalState.fillRowHighWater` of the state the ledger was restored from.
    let countedThroughRow: Int64

    func containsFill(_ tradeID: TradeID) -> Bool {
        (try? journal.containsFill(tradeID: tradeID.rawValue, countedThroughRow: countedThroughRow)) ?? false
    }

    func executedAmount(orderID: VenueOrderID, excluding: TradeID?) -> ExactDecimal {
        (try? journal.executedAmount(orderID: orderID.description, excludingTradeID: excluding?.rawValue)) ?? .zero
    }
}
