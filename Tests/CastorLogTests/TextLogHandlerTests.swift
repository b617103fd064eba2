import Foundation
import Logging
import Testing
@testable import CastorLog

@Suite struct TextLogHandlerTests {
    @Test func terminalLineLayout() async throws {
        let capture = PipeCapture()
        let log = Logger(label: "engine") {
            TextLogHandler(label: $0, writer: LogWriter(fd: capture.writeFD), levelControl: LogLevelControl(.info))
        }
        log.info("order accepted", metadata: ["symbol": "BTCUSD", "note": "two words", "api_secret": "hunter2"])
        log.warning("multi\nline")
        let lines = await capture.finishLines()
        #expect(lines.count == 2)
        let pattern = #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} INFO  engine: order accepted api_secret="<redacted>" note="two words" symbol=BTCUSD$"#
        #expect(lines[0].range(of: pattern, options: .regularExpression) != nil, "\(lines[0])")
        #expect(lines[1].hasSuffix(#" WARNING engine: multi\nline"#))
        #expect(!lines.joined().contains("hunter2"))
    }

    @Test func bootstrapHelperMakesTheRequestedFormat() {
        let writer = LogWriter(fd: 1)
        #expect(CastorLogging.makeHandler(label: "a", format: .json, writer: writer) is JSONLogHandler)
        #expect(CastorLogging.makeHandler(label: "a", format: .text, writer: writer) is TextLogHandler)
    }

    @Test func perLoggerOverrideBeatsSharedLevel() {
        let control = LogLevelControl(.error)
        var handler = JSONLogHandler(label: "x", writer: LogWriter(fd: 1), levelControl: control)
        #expect(handler.logLevel == .error)
        handler.logLevel = .trace
        control.set(.critical)
        #expect(handler.logLevel == .trace)
    }
}
