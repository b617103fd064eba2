import CastorTestSupport
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `castor record` against a child `castor sim`: the file it writes is read by `castor replay`
/// and `castor backtest`; a dropped connection leaves a gap marker and the recording goes on;
/// bad arguments are refused with a message and the usual exit codes.
@Suite(.tags(.slow), .timeLimit(.minutes(3)), .enabled(if: CastorProcess.binary != nil, "build the castor product first"))
struct RecordEndToEndTests {
    /// Runs `castor` to its exit; its combined output and status.
    static func run(_ arguments: [String], timeout: Double = 60) async throws -> (status: Int32, output: String) {
        let process = try CastorProcess(arguments: arguments, environment: [:])
        guard let status = await process.waitForExit(timeout: timeout) else {
            process.signal(SIGKILL)
            throw Failure("castor \(arguments.joined(separator: " ")) did not exit within \(timeout) s")
        }
        return (status, process.allLines.joined(separator: "\n"))
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// `1712345678.123: {` — the prefix `castor replay` and RecordingReader parse.
    static func isFrame(_ line: String) -> Bool {
        line.range(of: #"^[0-9]{10}\.[0-9]{3}: \{"#, options: .regularExpression) != nil
    }

    @Test func recordsForADurationAndReplayAndBacktestReadTheFile() async throws {
        let sim = try await ExternalSimulator()
        let dir = try CastorProcess.temporaryDirectory("record")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/btc.txt"
        let recorded = try await Self.run(["record", "--api", "legacy", "--url", sim.webSocketURL, "--symbols", "BTCUSD",
                                           "--duration", "3s", "--output", file])
        #expect(recorded.status == 0, "\(recorded.output)")
        #expect(recorded.output.contains("messages: "), "\(recorded.output)")
        #expect(recorded.output.contains("gaps: 0"), "\(recorded.output)")
        let lines = Self.lines(file)
        #expect(lines.first?.hasPrefix("# castor record ws://") == true, "\(lines.prefix(2))")
        let frames = lines.filter(Self.isFrame)
        #expect(!frames.isEmpty && frames.count == lines.count - 1, "\(lines.prefix(5))")
        #expect(frames.first?.contains("l2_updates") == true, "\(frames.prefix(1))")

        let replay = try await Self.run(["replay", file, "--depth", "1"])
        #expect(replay.status == 0, "\(replay.output)")
        #expect(replay.output.contains("malformed: 0") && !replay.output.contains("messages: 0 "), "\(replay.output)")

        let backtest = try await Self.run(["backtest", file, "--format", "json", "--no-timing"])
        #expect(backtest.status == 0, "\(backtest.output)")
        let json = backtest.output.split(separator: "\n").last.map { String($0) } ?? ""
        let report = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((report?["messages"] as? Int ?? 0) > 0, "\(backtest.output)")
        #expect(report?["malformed"] as? Int == 0, "\(backtest.output)")
    }

    /// The new WebSocket API (the default): snapshots, diffs and trades from `castor sim`'s
    /// `ws_api`, read back by `castor backtest`.
    @Test func recordsTheNewAPIAndBacktestReadsIt() async throws {
        let sim = try await ExternalSimulator()
        let dir = try CastorProcess.temporaryDirectory("record-ws")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/btc.txt"
        let recorded = try await Self.run(["record", "--url", sim.webSocketAPIURL, "--symbols", "BTCUSD",
                                           "--duration", "3s", "--output", file])
        #expect(recorded.status == 0, "\(recorded.output)")
        #expect(recorded.output.contains("gaps: 0"), "\(recorded.output)")
        let frames = Self.lines(file).filter(Self.isFrame)
        #expect(frames.contains { $0.contains(#""e":"depthUpdate""#) }, "\(frames.prefix(3))")
        let first = try #require(frames.first { $0.contains("depthUpdate") })
        // The first depth frame is the snapshot: U == u.
        let object = try JSONSerialization.jsonObject(with: Data(first[first.range(of: "{")!.lowerBound...].utf8)) as? [String: Any]
        #expect(object?["U"] as? Int != nil && object?["U"] as? Int == object?["u"] as? Int, "\(first.prefix(120))")

        let backtest = try await Self.run(["backtest", file, "--format", "json", "--no-timing"])
        #expect(backtest.status == 0, "\(backtest.output)")
        let json = backtest.output.split(separator: "\n").last.map { String($0) } ?? ""
        let report = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((report?["messages"] as? Int ?? 0) > 0, "\(backtest.output)")
        #expect(report?["malformed"] as? Int == 0, "\(backtest.output)")
    }

    @Test func aDroppedConnectionLeavesAGapMarkerAndTheRecordingGoesOn() async throws {
        let sim = try await ExternalSimulator()
        let dir = try CastorProcess.temporaryDirectory("record-gap")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/gap.txt"
        let recorder = try CastorProcess(arguments: ["record", "--api", "legacy", "--url", sim.webSocketURL, "--output", file,
                                                     "--duration", "2m"], environment: [:])
        defer { recorder.signal(SIGKILL) }
        try await pollUntil("frames recorded", seconds: 30) { Self.lines(file).contains(where: Self.isFrame) }

        var request = URLRequest(url: URL(string: sim.restURL + "/sim/faults")!)
        request.httpMethod = "POST"
        request.setValue(sim.adminToken, forHTTPHeaderField: "X-Sim-Admin-Token")
        request.httpBody = Data(#"{"dropWebSocketsNow": true}"#.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)

        try await pollUntil("a frame after a gap marker", seconds: 30) {
            let lines = Self.lines(file)
            guard let gap = lines.firstIndex(where: { $0.hasPrefix("# gap ") }) else { return false }
            return lines[(gap + 1)...].contains(where: Self.isFrame)
        }
        recorder.signal(SIGINT)
        let status = await recorder.waitForExit(timeout: 30)
        let output = recorder.allLines.joined(separator: "\n")
        #expect(status == 0, "\(output)")
        #expect(output.contains("(SIGINT)") && output.contains("gaps: 1") && output.contains("reconnects: 1"), "\(output)")
        let lines = Self.lines(file)
        let gap = try #require(lines.first { $0.hasPrefix("# gap ") })
        #expect(gap.range(of: #"^# gap [0-9]{10}\.[0-9]{3} closed_by_peer: "#, options: .regularExpression) != nil, "\(gap)")
        // After the gap the feed's fresh snapshot comes first.
        let after = lines.drop { !$0.hasPrefix("# gap ") }.dropFirst()
        #expect(after.first { Self.isFrame($0) }?.contains("l2_updates") == true)

        let replay = try await Self.run(["replay", file])
        #expect(replay.status == 0 && replay.output.contains("malformed: 0") && !replay.output.contains("CROSSED"), "\(replay.output)")
    }

    @Test func badArgumentsAreRefusedWithAMessage() async throws {
        let dir = try CastorProcess.temporaryDirectory("record-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/x.txt"
        let cases: [([String], Int32, String)] = [
            (["--venue", "moon", "--output", out], 64, "--venue moon"),
            (["--url", "http://127.0.0.1:1", "--output", out], 64, "--url"),
            (["--url", "ws://example.com", "--output", out], 64, "--url"),
            (["--duration", "soon", "--output", out], 64, "--duration soon"),
            (["--duration", "0s", "--output", out], 64, "--duration 0s"),
            (["--symbols", "BTC USD!", "--output", out], 64, "--symbols"),
            (["--rotate-mb", "0", "--output", out], 64, "--rotate-mb"),
            (["--rotate-mb", "5", "--rotate-hourly", "--output", out], 64, "not both"),
            (["--output", dir + "/missing/dir/x.txt"], 73, "--output"),
            ([], 64, "--output"),
        ]
        for (arguments, code, message) in cases {
            let result = try await Self.run(["record"] + arguments)
            #expect(result.status == code, "\(arguments): \(result.output)")
            #expect(result.output.contains(message), "\(arguments): \(result.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
