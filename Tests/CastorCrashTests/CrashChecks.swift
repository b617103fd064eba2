import CastorCore
import CastorJournal

/// One `castor run` process as the checks see it: when it was launched and seen dead
/// (wall-clock Unix ms), and whether its configuration engaged the kill switch.
struct BootWindow: Sendable {
    var launchedMs: Int64
    var exitedMs: Int64?
    var killSwitch: Bool
}

/// The crash-consistency checks, pure over the simulator's ledger and the boots started,
/// so they can be tested without processes (`CrashChecksTests`).
enum CrashChecks {
    /// The boot (index into `boots`) whose engine made `clientOrderID`: castor's ids are
    /// `cx<key tag>-<base-36 engine start ms>-<counter>` and an engine starts inside its
    /// process's window.
    static func owner(of clientOrderID: String, boots: [BootWindow]) -> Int? {
        let parts = clientOrderID.split(separator: "-")
        guard parts.count == 3, parts[0].hasPrefix("cx"), let bootMs = Int64(parts[1], radix: 36) else { return nil }
        return boots.lastIndex { $0.launchedMs <= bootMs && bootMs <= ($0.exitedMs ?? Int64.max) }
    }

    /// Duplicates (a client order id on two exchange orders), stale resends (an order of a
    /// boot created after the next boot was launched, i.e. sent again by a later process),
    /// orders of a kill-switch boot, and ids no boot of this run made.
    static func orderProblems(_ ledger: SimLedger, boots: [BootWindow]) -> [String] {
        var problems: [String] = []
        var seen: [String: [SimLedger.Order]] = [:]
        for o in ledger.orders { if let c = o.clientOrderID { seen[c, default: []].append(o) } }
        for (cid, orders) in seen.sorted(by: { $0.key < $1.key }) where orders.count > 1 {
            problems.append("duplicate order: client_order_id \(cid) on \(orders.count) exchange orders \(orders.map(\.orderID)) created at \(orders.map(\.createdMs))")
        }
        for o in ledger.orders {
            guard let cid = o.clientOrderID else { continue }
            guard let index = owner(of: cid, boots: boots) else {
                problems.append("order \(o.orderID) has client_order_id \(cid) from no boot this test started")
                continue
            }
            if index + 1 < boots.count, o.createdMs >= boots[index + 1].launchedMs {
                problems.append("stale resend: \(cid) (boot #\(index), killed at \(boots[index].exitedMs ?? -1)) created as order \(o.orderID) at \(o.createdMs), after boot #\(index + 1) started at \(boots[index + 1].launchedMs)")
            }
            if boots[index].killSwitch {
                problems.append("kill switch not honoured: boot #\(index) (kill switch engaged) created order \(o.orderID) \(cid)")
            }
        }
        return problems
    }

    /// Lost fills (on the simulator, not journaled), phantom fills (journaled, not on the
    /// simulator), fills that differ, and trade ids journaled twice.
    static func fillProblems(journal fills: [JournalFill], simulator trades: [SimLedger.Trade]) -> [String] {
        var problems: [String] = []
        let journaled = Dictionary(fills.map { ($0.tradeID, $0) }, uniquingKeysWith: { a, _ in a })
        if journaled.count != fills.count { problems.append("journal holds \(fills.count - journaled.count) repeated trade id(s)") }
        let truth = Dictionary(trades.map { ($0.tradeID, $0) }, uniquingKeysWith: { a, _ in a })
        if truth.count != trades.count { problems.append("simulator ledger lists \(trades.count - truth.count) trade id(s) twice") }
        for (tid, t) in truth.sorted(by: { $0.key < $1.key }) {
            guard let f = journaled[tid] else {
                problems.append("lost fill: trade \(tid) of order \(t.orderID) (\(t.amount) @ \(t.price)) is on the simulator, not in the journal")
                continue
            }
            if f.orderID != t.orderID || f.price != ExactDecimal(t.price) || f.amount != ExactDecimal(t.amount)
                || f.fee != ExactDecimal(t.fee) {
                problems.append("fill \(tid) differs: journal order \(f.orderID) \(f.amount) @ \(f.price) fee \(f.fee), simulator order \(t.orderID) \(t.amount) @ \(t.price) fee \(t.fee)")
            }
        }
        for tid in journaled.keys.sorted() where truth[tid] == nil {
            problems.append("phantom fill: trade \(tid) is in the journal, not on the simulator")
        }
        return problems
    }
}
