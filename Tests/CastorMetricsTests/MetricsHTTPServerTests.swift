import CastorCore
import CastorTestSupport
@testable import CastorMetrics
import Dispatch
import Foundation
import Testing

/// `MetricsHTTPServer` against peers that are not ours: Python's http.client and the
/// reference Prometheus text parser, then raw sockets sending what no client should.
@Suite("Metrics HTTP server", .timeLimit(.minutes(2)))
struct MetricsHTTPServerTests {
    /// An endpoint with one metric of each kind the engine uses.
    static func endpoint(healthy: Bool = true) throws -> (MetricsEndpoint, UInt16) {
        let endpoint = MetricsEndpoint()
        endpoint.recordBuildInfo(version: "9.9.9-test")
        endpoint.registry.makeCounter(name: "castor_orders_total", labels: [("symbol", "BTCUSD"), ("side", "buy")]).increment(by: Int64(3))
        endpoint.registry.makeGauge(name: "castor_open_orders", labels: [("symbol", "BTCUSD")]).set(Double(2))
        let histogram = endpoint.registry.makeDurationHistogram(name: "castor_tick_to_order_seconds", labels: [],
                                                                buckets: [.microseconds(100), .milliseconds(1)])
        histogram.record(.microseconds(40))
        histogram.record(.microseconds(400))
        let port = try endpoint.start(host: "127.0.0.1", port: 0) { answer in
            DispatchQueue.global().async {
                answer(healthy ? .init(healthy: true, json: #"{"ok":true,"phase":"running"}"#)
                               : .init(healthy: false, json: #"{"ok":false,"error":"kill switch engaged"}"#))
            }
        }
        return (endpoint, port)
    }

    static func stop(_ endpoint: MetricsEndpoint) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in endpoint.stop { done.resume() } }
    }

    /// Runs `scrape_client.py PORT` and returns its JSON answer (deadline 60 s).
    static func scrape(port: UInt16) throws -> [String: Any] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("scrape_client.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "\(port)"]
        let output = Pipe()
        process.standardOutput = output
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let data = Mutexed(Data())
        let read = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            data.value = output.fileHandleForReading.readDataToEndOfFile()
            read.signal()
        }
        guard exited.wait(timeout: .now() + 60) == .success, read.wait(timeout: .now() + 10) == .success else {
            process.terminate()
            throw RawHTTPClient.Failure(description: "scrape_client.py did not finish in 60 s")
        }
        let text = String(decoding: data.value, as: UTF8.self)
        guard let object = try? JSONSerialization.jsonObject(with: data.value) as? [String: Any] else {
            throw RawHTTPClient.Failure(description: "scrape_client.py printed no JSON (exit \(process.terminationStatus)): \(text)")
        }
        if let error = object["error"] as? String { throw RawHTTPClient.Failure(description: error) }
        #expect(process.terminationStatus == 0)
        return object
    }

    @Test func pythonsClientAndThePrometheusParserReadTheExposition() async throws {
        let (endpoint, port) = try Self.endpoint()
        let out = try Self.scrape(port: port)
        let metrics = try #require(out["metrics"] as? [String: Any])
        #expect(metrics["status"] as? Int == 200)
        #expect(metrics["content_type"] as? String == "text/plain; version=0.0.4; charset=utf-8")
        #expect(metrics["connection"] as? String == "close")
        #expect(metrics["content_length"] as? String == "\(metrics["length"] as? Int ?? -1)")
        let families = try #require(out["families"] as? [String: [String: Any]])
        // The parser strips `_total` from a counter's family name.
        #expect(families["castor_orders"]?["type"] as? String == "counter")
        let orders = try #require(families["castor_orders"]?["samples"] as? [[Any]])
        #expect(orders.contains { ($0[0] as? String) == "castor_orders_total" && ($0[1] as? [String: String]) == ["symbol": "BTCUSD", "side": "buy"]
                && ($0[2] as? Double) == 3 })
        #expect(families["castor_open_orders"]?["type"] as? String == "gauge")
        #expect(families["castor_build_info"]?["type"] as? String == "gauge")
        #expect(families["castor_tick_to_order_seconds"]?["type"] as? String == "histogram")
        let buckets = try #require(families["castor_tick_to_order_seconds"]?["samples"] as? [[Any]])
        let count = buckets.first { ($0[0] as? String) == "castor_tick_to_order_seconds_count" }
        #expect(count?[2] as? Double == 2)
        let firstBucket = buckets.first { ($0[0] as? String) == "castor_tick_to_order_seconds_bucket" && ($0[1] as? [String: String])?["le"] == "0.0001" }
        #expect(firstBucket?[2] as? Double == 1)

        let health = try #require(out["healthz"] as? [String: Any])
        #expect(health["status"] as? Int == 200)
        #expect((health["headers"] as? [String: String])?["content-type"] == "application/json")
        #expect(health["body"] as? String == #"{"ok":true,"phase":"running"}"#)
        let head = try #require(out["head"] as? [String: Any])
        #expect(head["status"] as? Int == 200 && head["body"] as? String == "")
        #expect((head["headers"] as? [String: String])?["content-length"] == "\(metrics["length"] as? Int ?? -1)")
        let post = try #require(out["post"] as? [String: Any])
        #expect(post["status"] as? Int == 405 && (post["headers"] as? [String: String])?["allow"] == "GET, HEAD")
        #expect((out["missing"] as? [String: Any])?["status"] as? Int == 404)
        #expect(out["query"] as? Int == 200)
        await Self.stop(endpoint)
    }

    @Test func anUnhealthyEngineIs503WithItsReason() async throws {
        let (endpoint, port) = try Self.endpoint(healthy: false)
        let answer = try RawHTTPClient.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(answer.statusCode == 503)
        #expect(answer.hasSuffix(#"{"ok":false,"error":"kill switch engaged"}"#), "\(answer)")
        await Self.stop(endpoint)
    }

    @Test func malformedRequestsAreRefusedAndTheServerServesOn() async throws {
        let (endpoint, port) = try Self.endpoint()
        let oversized = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 9_000) + "\r\n\r\n"
        #expect(try RawHTTPClient.exchange(port: port, oversized).statusCode == 431)
        // Oversized and never finished: refused once past the bound, not left waiting.
        #expect(try RawHTTPClient.exchange(port: port, "GET /metrics HTTP/1.1\r\nX: " + String(repeating: "b", count: 20_000)).statusCode == 431)
        let manyFields = "GET /metrics HTTP/1.1\r\nHost: x\r\n" + (0..<70).map { "X-\($0): 1\r\n" }.joined() + "\r\n"
        #expect(try RawHTTPClient.exchange(port: port, manyFields).statusCode == 431)
        #expect(try RawHTTPClient.exchange(port: port, "GET /metrics HTTP/1.1\nHost: x\n\n").statusCode == 400)
        #expect(try RawHTTPClient.exchange(port: port, "GET /metrics HTTP/1.1\rHost: x\r\r").statusCode == 400)
        var junk = SplitMix64(seed: 14)
        for _ in 0..<20 {
            let bytes = (0..<512).map { _ in UInt8(truncatingIfNeeded: junk.next()) }
            #expect(try RawHTTPClient.exchange(port: port, bytes).statusCode == 400)
        }
        #expect(try RawHTTPClient.exchange(port: port, "GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n").statusCode == 505)
        #expect(try RawHTTPClient.exchange(port: port, "GET /metrics HTTP/1.1\r\n\r\n").statusCode == 400)  // no Host
        #expect(try RawHTTPClient.exchange(port: port, "GET http://x/metrics HTTP/1.1\r\nHost: x\r\n\r\n").statusCode == 400)
        #expect(try RawHTTPClient.exchange(port: port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").statusCode == 400)
        #expect(try RawHTTPClient.exchange(port: port, "GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n").statusCode == 400)
        #expect(try RawHTTPClient.exchange(port: port, "GET /metrics HTTP/1.1\r\nBad Name: x\r\n\r\n").statusCode == 400)
        // HTTP/1.0 needs no Host.
        let ok = try RawHTTPClient.exchange(port: port, "GET /metrics HTTP/1.0\r\n\r\n")
        #expect(ok.statusCode == 200 && ok.contains("castor_orders_total{"), "\(ok.prefix(200))")
        await Self.stop(endpoint)
    }

    /// A request that never completes (slowloris) is answered 408 and closed once the
    /// injected clock passes the timeout; until then the connection waits.
    @Test func aStalledRequestIsClosedByTheTimeout() async throws {
        let clock = ManualClock(startMs: 1_000)
        let server = MetricsHTTPServer(requestTimeoutMs: 5_000, clock: clock.engineClock) { _, answer in
            answer(.init(status: .ok, text: "fine\n"))
        }
        let port = try server.start(host: "127.0.0.1", port: 0)
        let client = try RawHTTPClient(port: port)
        defer { client.close() }
        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        try await pollUntil("the server accepted the connection", seconds: 10) { server.connectionCount == 1 }
        clock.advance(byMs: 4_999)
        #expect(server.connectionCount == 1)
        try client.send("a")
        clock.advance(byMs: 1)
        let answer = try client.readToEnd()
        #expect(answer.statusCode == 408, "\(answer)")
        // Answered and half-closed; the peer that never closes its side is closed after the linger.
        #expect(server.connectionCount == 1)
        clock.advance(byMs: MetricsHTTPConnection.lingerMs)
        try await pollUntil("the connection is closed", seconds: 10) { server.connectionCount == 0 }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in server.stop { done.resume() } }
    }

    /// The held connections send nothing for a while; on a manual clock their request timeout
    /// never passes, however slowly a loaded machine runs this test (on the system clock a
    /// late poll found both already answered 408 and closed).
    @Test func connectionsPastTheLimitAreAnswered503() async throws {
        let clock = ManualClock(startMs: 1_000)
        let server = MetricsHTTPServer(maxConnections: 2, clock: clock.engineClock) { _, answer in answer(.init(status: .ok, text: "fine\n")) }
        let port = try server.start(host: "127.0.0.1", port: 0)
        let held = try (0..<2).map { _ in try RawHTTPClient(port: port) }
        defer { held.forEach { $0.close() } }
        try await pollUntil("two connections open", seconds: 10) { server.connectionCount == 2 }
        // Best effort: the server closes at once, so the 503 may be followed by a reset.
        #expect(try RawHTTPClient.exchange(port: port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", resetEnds: true).statusCode == 503)
        try held[0].send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try held[0].readToEnd() == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nConnection: close\r\n\r\nfine\n")
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in server.stop { done.resume() } }
    }

    @Test func aBusyPortIsATypedError() throws {
        let first = MetricsHTTPServer { _, answer in answer(.init(status: .ok, text: "")) }
        let port = try first.start(host: "127.0.0.1", port: 0)
        let second = MetricsHTTPServer { _, answer in answer(.init(status: .ok, text: "")) }
        #expect(throws: MetricsServerError.systemCall(call: "bind 127.0.0.1:\(port)", errno: EADDRINUSE)) {
            _ = try second.start(host: "127.0.0.1", port: port)
        }
        #expect(throws: MetricsServerError.invalidAddress(host: "metrics.example")) {
            _ = try second.start(host: "metrics.example", port: 0)
        }
        first.stop()
    }
}

@Suite("Metrics request parser")
struct MetricsRequestParserTests {
    let limits = MetricsRequestLimits()

    func parse(_ text: String) -> MetricsRequestParse { MetricsRequestParser.parse(Array(text.utf8), limits: limits) }

    @Test func aPlainGetAndItsPrefixes() {
        let request = "GET /metrics?name=x HTTP/1.1\r\nHost: 127.0.0.1:9464\r\nUser-Agent: Prometheus/2.0\r\nAccept: */*\r\n\r\n"
        #expect(parse(request) == .complete(MetricsRequestHead(method: "GET", path: "/metrics")))
        for end in 0..<(request.utf8.count - 1) {
            #expect(MetricsRequestParser.parse(Array(request.utf8.prefix(end)), limits: limits) == .incomplete, "prefix \(end)")
        }
    }

    @Test func refusals() {
        #expect(parse("GE\u{1}T / HTTP/1.1\r\n") == .refused(.badRequest, reason: "invalid method"))
        #expect(parse("GET metrics HTTP/1.1\r\n") == .refused(.badRequest, reason: "the target must be a path (origin-form)"))
        #expect(parse("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n") == .complete(MetricsRequestHead(method: "GET", path: "/x")))
        #expect(parse("GET /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n") == .refused(.badRequest, reason: "a request body is not accepted"))
        #expect(parse("GET /x  HTTP/1.1\r\nHost: a\r\n\r\n") == .refused(.badRequest, reason: "malformed request line"))
        #expect(parse("\r\n\r\n") == .refused(.badRequest, reason: "empty request line"))
        #expect(parse("GET /x HTTP/1.1\r\nHost: a\u{0}\r\n\r\n") == .refused(.badRequest, reason: "NUL byte in the request head"))
    }

    /// Seeded random bytes, and random cuts of a valid request: an answer, never a trap.
    @Test func randomInputAlwaysHasAnAnswer() {
        var random = SplitMix64(seed: 9464)
        let valid = Array("GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        for round in 0..<5_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(random.next() % 200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            } else {
                bytes = valid
                for _ in 0..<3 { bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next()) }
            }
            switch MetricsRequestParser.parse(bytes, limits: MetricsRequestLimits(maxHeadBytes: 128, maxHeaderCount: 4)) {
            case .incomplete: #expect(bytes.count <= 128)
            case .complete(let head): #expect(head.path.hasPrefix("/"))
            case .refused: break
            }
        }
    }
}
