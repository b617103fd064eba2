import CastorDaemon
import CastorStatus
import CastorTestSupport
import Dispatch
import Foundation
import Testing
import CastorCore
#if canImport(Glibc)
import Glibc
#endif

/// The control socket: a UNIX socket only its owner may use, one request line and one
/// answer line per connection, and nothing it did not create is ever removed.
@Suite(.timeLimit(.minutes(1))) struct ControlSocketTests {
    static func path(_ tag: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("castor-ctl-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("\(tag).sock").path
    }

    static func serve(_ path: String, queue: DispatchQueue) throws -> ControlSocketServer {
        let server = try ControlSocketServer(path: path, queue: queue) { line, answer in
            switch ControlRequest(line: line) {
            case .status?: answer(ControlAnswer.status(#"{"phase":"running"}"#))
            case .killSwitch(let on)?: answer(ControlAnswer.killSwitch(engaged: on, changed: true))
            case .reload?: answer(ControlAnswer.reloaded("unchanged", detail: "nothing changed"))
            case nil: answer(ControlAnswer.error("unknown request \"\(line)\""))
            }
        }
        server.start()
        return server
    }

    @Test func aRequestLineGetsItsAnswerLineAndTheSocketIsOwnerOnly() async throws {
        let path = Self.path("a")
        let queue = DispatchQueue(label: "test.control")
        let server = try Self.serve(path, queue: queue)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let answer = try await offPool { try ControlSocketClient.request("status", path: path) }
        #expect(answer == #"{"ok":true,"status":{"phase":"running"}}"#)
        let kill = try await offPool { try ControlSocketClient.request("kill-switch   on", path: path) }
        #expect(kill == #"{"ok":true,"kill_switch":true,"changed":true}"#)
        let bad = try await offPool { try ControlSocketClient.request("rm -rf \"/\"", path: path) }
        #expect(bad == #"{"ok":false,"error":"unknown request \"rm -rf \"/\"\""}"#)
        queue.sync { server.stop() }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func nothingListeningSaysTheDaemonIsNotRunning() async throws {
        let path = Self.path("none")
        await #expect(throws: ControlSocketError.notRunning(path: path)) {
            try await offPool { _ = try ControlSocketClient.request("status", path: path) }
        }
    }

    @Test func aStaleSocketIsReplacedButAFileInTheWayIsNot() throws {
        let path = Self.path("stale")
        let queue = DispatchQueue(label: "test.control")
        // A killed daemon leaves its socket behind: the next one takes the path over.
        let first = try Self.serve(path, queue: queue)
        _ = first
        let second = try Self.serve(path, queue: queue)
        queue.sync { second.stop() }
        // Something else at the path is never deleted.
        try "keep me".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ControlSocketError.pathOccupied(path)) { _ = try Self.serve(path, queue: queue) }
        #expect((try? String(contentsOfFile: path, encoding: .utf8)) == "keep me")
        let long = "/tmp/" + String(repeating: "x", count: 120) + ".sock"
        #expect(throws: ControlSocketError.pathTooLong(long)) { _ = try Self.serve(long, queue: queue) }
    }

    @Test func aRequestWithoutANewlinePastTheLimitIsDroppedAndTheServerGoesOn() async throws {
        let path = Self.path("big")
        let queue = DispatchQueue(label: "test.control")
        let server = try Self.serve(path, queue: queue)
        await #expect(throws: ControlSocketError.self) {
            try await offPool { _ = try ControlSocketClient.request(String(repeating: "x", count: 10_000), path: path, timeoutSeconds: 5) }
        }
        let answer = try await offPool { try ControlSocketClient.request("status", path: path) }
        #expect(answer.hasPrefix(#"{"ok":true"#))
        queue.sync { server.stop() }
    }

    @Test func theStatusReportRoundTripsThroughJSONWithTheKeysOperatorsUse() throws {
        let report = StatusReport(
            phase: "running", venue: "sim", strategy: .init(name: "market-maker", parameters: ["size": "0.01"]),
            feeds: [.init(name: "market_data", state: "live", lastMessageAgeMs: 12, timesLive: 2, lastDisconnectCause: "heartbeat_silence")],
            openOrders: [.init(clientOrderID: "cx-1", orderID: "42", symbol: "BTCUSD", side: "buy", price: "100.00",
                               amount: "0.01", executed: "0", phase: "booked", ageMs: 1_500)],
            positions: [.init(symbol: "BTCUSD", base: "0.5", quoteCash: "-50.10", fills: 3)],
            balances: [.init(currency: "USD", available: "1000", total: "1050")],
            pnl: [.init(symbol: "BTCUSD", mark: "101", sessionRealized: "1.5", sessionUnrealized: "0.5", sessionFees: "0.10",
                        allTimeTotal: "0.40")],
            risk: .init(killSwitch: false, killSwitchCause: nil, killSwitchDetail: nil, openOrders: 1, maxOpenOrders: 10,
                        maxPosition: "1", maxOrderNotional: "1000", maxOrdersPerMinute: 60),
            requests: .init(queued: 0, privateInFlight: false))
        let json = try report.json()
        for key in [#""strategy""#, #""feeds""#, #""open_orders""#, #""positions""#, #""balances""#, #""pnl""#,
                    #""client_order_id""#, #""last_message_age_ms""#, #""session_realized""#, #""last_disconnect_cause":"heartbeat_silence""#] {
            #expect(json.contains(key), "\(key) missing in \(json)")
        }
        #expect(try StatusReport(json: json) == report)
        let text = report.text
        #expect(text.contains("market-maker") && text.contains("cx-1") && text.contains("1.5") && text.contains("1 s"))
        #expect(text.contains("heartbeat_silence"))
    }
}

/// The idle limit belongs to a connection, not to its descriptor number.
@Suite(.timeLimit(.minutes(1))) struct ControlSocketIdleLimitTests {
    @Test func anEarlierConnectionsTimerNeverDropsALaterOne() async throws {
        let path = ControlSocketTests.path("idle")
        let queue = DispatchQueue(label: "test.control.idle")
        let clock = ManualClock(startMs: 1_000)
        let server = try ControlSocketServer(path: path, queue: queue, idleLimitMs: 5_000, clock: clock.engineClock) { _, answer in
            answer(ControlAnswer.status(#"{"phase":"running"}"#))
        }
        server.start()
        defer { queue.sync { server.stop() } }
        // Connection A is answered and closed; its timer is still armed for t = 6 000.
        let first = try await offPool { try ControlSocketClient.request("status", path: path) }
        #expect(first.contains("running"))
        clock.advance(byMs: 1_000)
        // Connection B (which may get A's descriptor number) connects, says nothing yet.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(connected == 0)
        try await pollUntil("B accepted", seconds: 10) { queue.sync { clock.pendingTimerCount } >= 2 }
        // A's timer falls due: B must survive it.
        clock.advance(toMs: 6_000)
        let request = Array("status\n".utf8)
        #expect(request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == request.count)
        let text = try await offPool { () -> String in
            var reply = [UInt8](repeating: 0, count: 256)
            let n = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return String(decoding: reply.prefix(max(0, n)), as: UTF8.self)
        }
        #expect(text.contains("running"), "B was dropped: \(text.debugDescription)")
    }
}
