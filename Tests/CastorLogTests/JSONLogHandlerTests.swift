import Dispatch
import Foundation
import Logging
import Testing
@testable import CastorLog

@Suite struct JSONLogHandlerTests {
    private func logger(_ capture: PipeCapture, _ control: LogLevelControl, label: String = "engine") -> Logger {
        Logger(label: label) { label in
            JSONLogHandler(label: label, writer: LogWriter(fd: capture.writeFD), levelControl: control)
        }
    }

    @Test func oneObjectPerLineWithFixedFieldsAndFlattenedMetadata() async throws {
        let capture = PipeCapture()
        var log = logger(capture, LogLevelControl(.info))
        log[metadataKey: "instance"] = "main"
        log.info("order accepted", metadata: [
            "symbol": "BTCUSD", "price": .stringConvertible("50000.25"), "count": .stringConvertible(3),
            "flags": ["maker", "post-only"], "book": ["bid": "1", "ask": "2"], "live": .stringConvertible(true),
        ])
        let lines = await capture.finishLines()
        #expect(lines.count == 1)
        let object = try #require(PipeCapture.json(lines[0]))
        #expect(object["level"] as? String == "info")
        #expect(object["msg"] as? String == "order accepted")
        #expect(object["component"] as? String == "engine")
        #expect(object["symbol"] as? String == "BTCUSD")
        #expect(object["price"] as? String == "50000.25")
        #expect(object["count"] as? Int == 3)
        #expect(object["live"] as? Bool == true)
        #expect(object["flags"] as? [String] == ["maker", "post-only"])
        #expect(object["book"] as? [String: String] == ["bid": "1", "ask": "2"])
        #expect(object["instance"] as? String == "main")
        #expect(lines[0].hasPrefix(#"{"ts":""#))
    }

    @Test func timestampIsUTCWithMicroseconds() async throws {
        let capture = PipeCapture()
        let before = Date()
        logger(capture, LogLevelControl(.info)).info("tick")
        let line = try #require(await capture.finishLines().first)
        let ts = try #require(PipeCapture.json(line)?["ts"] as? String)
        #expect(ts.count == 27)
        #expect(ts.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression) != nil)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let parsed = try #require(formatter.date(from: String(ts.prefix(23)) + "Z"))
        #expect(abs(parsed.timeIntervalSince(before)) < 5)
    }

    @Test func escapesControlCharactersQuotesAndInvalidUTF8() async throws {
        let capture = PipeCapture()
        let invalid = String(decoding: [0x41, 0xFF, 0xFE, 0x42], as: UTF8.self)
        logger(capture, LogLevelControl(.info)).info("line1\nline2\t\"q\" \\ \u{01}\u{7F}", metadata: ["raw": "\(invalid)"])
        let bytes = try #require(await capture.finishBytes())
        #expect(bytes.filter { $0 == 0x0A }.count == 1)
        #expect(!bytes.dropLast().contains { $0 < 0x20 || $0 == 0x7F })
        let line = String(decoding: bytes.dropLast(), as: UTF8.self)
        #expect(line.contains(#""msg":"line1\nline2\t\"q\" \\ \u0001\u007f""#))
        let object = try #require(PipeCapture.json(line))
        #expect(object["msg"] as? String == "line1\nline2\t\"q\" \\ \u{01}\u{7F}")
        #expect(object["raw"] as? String == "A\u{FFFD}\u{FFFD}B")
    }

    @Test func secretsAreRedactedAtEveryLevel() async throws {
        let capture = PipeCapture()
        let log = logger(capture, LogLevelControl(.trace))
        let secretKeys = ["secret", "api_secret", "apiSecret", "X-GEMINI-SIGNATURE", "payload", "password",
                          "session_token", "Authorization"]
        var metadata: Logger.Metadata = [:]
        for key in secretKeys { metadata[key] = "hunter2" }
        metadata["nested"] = ["token": "hunter2", "ok": "visible"]
        metadata["key"] = "account-abc"
        log.trace("signing", metadata: metadata)
        log.critical("signing", metadata: metadata)
        let lines = await capture.finishLines()
        #expect(lines.count == 2)
        for line in lines {
            #expect(!line.contains("hunter2"))
            let object = try #require(PipeCapture.json(line))
            for key in secretKeys { #expect(object[key] as? String == "<redacted>") }
            #expect(object["nested"] as? [String: String] == ["token": "<redacted>", "ok": "visible"])
            #expect(object["key"] as? String == "account-abc")
        }
    }

    @Test func reservedKeysDoNotOverwriteFixedFields() async throws {
        let capture = PipeCapture()
        logger(capture, LogLevelControl(.info)).info("real", metadata: ["msg": "fake", "level": "fake"])
        let object = try #require(PipeCapture.json(await capture.finishLines()[0]))
        #expect(object["msg"] as? String == "real")
        #expect(object["meta.msg"] as? String == "fake")
        #expect(object["level"] as? String == "info")
    }

    /// The engine labels its lines with `component` metadata: it must come out as the one
    /// `component` field, not as `meta.component` next to the logger label.
    @Test func componentMetadataOverridesTheLabelOnce() async throws {
        let capture = PipeCapture()
        var log = logger(capture, LogLevelControl(.info))
        log[metadataKey: "component"] = "orders"
        log.info("placed")
        log.info("per call", metadata: ["component": "risk"])
        let lines = await capture.finishLines()
        let first = try #require(PipeCapture.json(lines[0]))
        #expect(first["component"] as? String == "orders")
        #expect(first["meta.component"] == nil)
        #expect(lines[0].components(separatedBy: "\"component\"").count == 2)
        #expect(try #require(PipeCapture.json(lines[1]))["component"] as? String == "risk")
    }

    @Test func levelChangesAtRunTimeForExistingLoggers() async {
        let capture = PipeCapture()
        let control = LogLevelControl(.info)
        let log = logger(capture, control)
        log.debug("hidden")
        control.set(.debug)
        log.debug("shown")
        control.set(.error)
        log.warning("hidden too")
        log.error("shown too")
        let messages = await capture.finishLines().compactMap { PipeCapture.json($0)?["msg"] as? String }
        #expect(messages == ["shown", "shown too"])
    }

    @Test func concurrentLongLinesNeverInterleave() async {
        let capture = PipeCapture()
        let log = logger(capture, LogLevelControl(.info))
        let filler = String(repeating: "x", count: 10_000) // larger than PIPE_BUF
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for i in 0..<50 { log.info("\(filler)", metadata: ["thread": "\(thread)", "i": "\(i)"]) }
        }
        let lines = await capture.finishLines()
        #expect(lines.count == 400)
        let parsed = lines.compactMap(PipeCapture.json)
        #expect(parsed.count == 400)
        #expect(Set(parsed.map { "\($0["thread"]!)-\($0["i"]!)" }).count == 400)
    }
}
