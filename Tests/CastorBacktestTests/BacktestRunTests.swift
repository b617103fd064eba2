import CastorBacktest
import CastorCore
import CastorTestSupport
import Foundation
import MarketData
import Testing

/// Whole runs: identity of reports, bad lines, `castor backtest` end to end.
@Suite struct BacktestRunTests {
    @Test func twoBacktestsOfOneFileGiveByteIdenticalReports() async throws {
        let text = String(decoding: SyntheticL2Stream(messages: 5_000, symbols: 2, seed: 7).generate(), as: UTF8.self)
        let options = BacktestHarness.options(builtIn: .marketMaker, parameters: ["spread_bps": .integer(1), "requote_bps": .integer(0)])
        let (a, b) = try await offPool { () throws(BacktestError) in
            (try BacktestHarness.run(text, options), try BacktestHarness.run(text, options))
        }
        #expect(a.messages == 5_000)
        #expect(a.orders > 0)
        #expect(a.json(timing: false) == b.json(timing: false))
        #expect(a.text(timing: false) == b.text(timing: false))
        #expect(!a.json(timing: false).contains("wall_seconds"))
    }

    @Test func garbageLinesAreSkippedAndCounted() async throws {
        let text = [
            HandMade.at(0, HandMade.snapshot),
            "",
            "# a comment",
            "garbage that is not a frame",
            HandMade.at(100, #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","100.00"#), // cut short: malformed
            HandMade.at(200, HandMade.l2("buy", "100.50", "1")),
            "1700000000.300 {\"type\":\"heartbeat\"}", // a prefix without its colon
            HandMade.at(400, HandMade.trade(1, "100.50", "0.1")),
        ].joined(separator: "\n")
        let strategy = OneOrder(side: .buy, price: ExactDecimal("90.00")!, amount: 1)
        let report = try await offPool { try BacktestHarness.run(text, BacktestHarness.options(strategy)) }
        #expect(report.lines == 8)
        #expect(report.messages == 3)
        #expect(report.malformed == 1)
        #expect(report.skipped == 5) // blank, comment, garbage, no colon, and the malformed one
        #expect(report.firstMalformed?.hasPrefix("test.txt:5:") == true)
        #expect(report.json(timing: false).contains("\"malformed\": 1"))
    }

    @Test func aSnapshotMidRecordingResyncsTheBook() async throws {
        // After a recorder's reconnect the next snapshot replaces the book: the old 100.00 bid
        // is gone, so the mark is the new book's.
        let resnapshot = #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","110.00","1"],["sell","111.00","1"]],"trades":[]}"#
        let text = [HandMade.at(0, HandMade.snapshot), "# gap", HandMade.at(5_000, resnapshot)].joined(separator: "\n")
        let strategy = OneOrder(side: .buy, price: ExactDecimal("99.00")!, amount: 1)
        let report = try await offPool { try BacktestHarness.run(text, BacktestHarness.options(strategy)) }
        #expect(report.symbols.first?.mark == ExactDecimal("110.5")!)
    }

    @Test func castorBacktestPrintsAJSONReport() async throws {
        let castor = try #require(CastorExecutable.path, "build castor first")
        let bench = URL(fileURLWithPath: castor).deletingLastPathComponent().appendingPathComponent("castor-bench").path
        try #require(FileManager.default.isExecutableFile(atPath: bench), "build castor-bench first")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("castor-backtest-e2e-\(getpid()).txt").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let synth = try await runToExit(bench, ["synth-l2", "--messages", "3000", "--output", file], seconds: 60)
        #expect(synth.status == 0, "\(synth.output)")
        let run = try await runToExit(castor, ["backtest", file, "--format", "json", "--param", "spread_bps=1"], seconds: 120)
        #expect(run.status == 0, "\(run.output)")
        let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        for key in ["strategy", "messages", "seconds", "wall_seconds", "messages_per_second", "orders", "fills", "fees", "pnl",
                    "max_drawdown", "final_position", "symbols"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["strategy"] as? String == "market-maker")
        #expect(object["messages"] as? Int == 3000)
        let pnl = try #require(object["pnl"] as? [String: Any])
        #expect(pnl["realized"] is String && pnl["unrealized"] is String && pnl["total"] is String)

        let missing = try await runToExit(castor, ["backtest", file + ".absent"], seconds: 60)
        #expect(missing.status == 66)
        #expect(missing.output.contains(".absent"))
        let unknown = try await runToExit(castor, ["backtest", file, "--strategy", "no-such"], seconds: 60)
        #expect(unknown.status == 64)
        #expect(unknown.output.contains("no such strategy"))
    }
}
