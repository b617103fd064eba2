import CastorCore
import CastorJournal
import Testing

/// The crash-consistency checks catch what they claim to, on made-up ledgers (no processes).
@Suite struct CrashChecksTests {
    /// Two boots: #0 ran 1 000...2 000 (engine started at 1 010), #1 launched at 2 100 (engine at 2 150).
    let boots = [BootWindow(launchedMs: 1_000, exitedMs: 2_000, killSwitch: false),
                 BootWindow(launchedMs: 2_100, exitedMs: nil, killSwitch: true)]
    let boot0 = "cx-" + String(1_010, radix: 36)
    let boot1 = "cx-" + String(2_150, radix: 36)

    func order(_ id: Int, _ cid: String?, at ms: Int64) -> SimLedger.Order {
        SimLedger.Order(orderID: "\(id)", clientOrderID: cid, createdMs: ms, isLive: true)
    }

    @Test func ownerFollowsTheBootTokenIntoTheProcessWindow() {
        #expect(CrashChecks.owner(of: boot0 + "-7", boots: boots) == 0)
        #expect(CrashChecks.owner(of: boot1 + "-8", boots: boots) == 1)
        #expect(CrashChecks.owner(of: "cx-" + String(2_050, radix: 36) + "-1", boots: boots) == nil)
        #expect(CrashChecks.owner(of: "someone-else", boots: boots) == nil)
    }

    @Test func cleanLedgerHasNoProblems() {
        let ledger = SimLedger(orders: [order(1, boot0 + "-1", at: 1_500), order(2, boot0 + "-2", at: 2_001), order(3, nil, at: 2_500)],
                               trades: [])
        #expect(CrashChecks.orderProblems(ledger, boots: boots).isEmpty)
    }

    @Test func duplicateStaleResendAndKillSwitchAreReported() {
        let ledger = SimLedger(orders: [order(1, boot0 + "-1", at: 1_500), order(2, boot0 + "-1", at: 1_600),
                                        order(3, boot0 + "-2", at: 2_200), order(4, boot1 + "-3", at: 2_300)],
                               trades: [])
        let problems = CrashChecks.orderProblems(ledger, boots: boots)
        #expect(problems.filter { $0.hasPrefix("duplicate order") }.count == 1)
        #expect(problems.filter { $0.hasPrefix("stale resend") && $0.contains(boot0 + "-2") }.count == 1)
        #expect(problems.filter { $0.hasPrefix("kill switch not honoured") }.count == 1)
        #expect(problems.count == 3)
    }

    @Test func lostPhantomAndDifferingFillsAreReported() {
        func fill(_ tid: String, _ amount: String) -> JournalFill {
            JournalFill(tradeID: tid, orderID: "9", clientOrderID: nil, symbol: "btcusd", side: .buy,
                        price: ExactDecimal("65000.5")!, amount: ExactDecimal(amount)!, fee: ExactDecimal("0.01")!,
                        feeCurrency: "USD", liquidity: .maker, timestampMs: 1)
        }
        func trade(_ tid: String, _ amount: String) -> SimLedger.Trade {
            SimLedger.Trade(tradeID: tid, orderID: "9", price: "65000.50", amount: amount, fee: "0.01")
        }
        #expect(CrashChecks.fillProblems(journal: [fill("1", "0.001")], simulator: [trade("1", "0.001")]).isEmpty)
        let problems = CrashChecks.fillProblems(journal: [fill("1", "0.001"), fill("3", "0.001")],
                                                simulator: [trade("1", "0.002"), trade("2", "0.001")])
        #expect(problems.contains { $0.hasPrefix("fill 1 differs") })
        #expect(problems.contains { $0.hasPrefix("lost fill: trade 2") })
        #expect(problems.contains { $0.hasPrefix("phantom fill: trade 3") })
        #expect(problems.count == 3)
    }
}
