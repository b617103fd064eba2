import Foundation
import Glibc
import Logging
import Testing
@testable import CastorLog

/// Under journald (`JOURNAL_STREAM` naming the output's own device and inode) every line
/// starts with its syslog priority, `<N>`, so `journalctl -p warning` sees the critical lines.
@Suite struct JournalPrefixTests {
    /// `JOURNAL_STREAM` as systemd would spell it for `fd`.
    private static func journalStream(for fd: Int32) throws -> String {
        let id = try #require(JournalStream.identity(of: fd))
        return "\(id.device):\(id.inode)"
    }

    private static let levels: [(Logger.Level, String)] = [
        (.critical, "<2>"), (.error, "<3>"), (.warning, "<4>"), (.notice, "<5>"), (.info, "<6>"), (.debug, "<7>"), (.trace, "<7>"),
    ]

    private func logEveryLevel(_ capture: PipeCapture, format: LogFormat, journalStream: String?) {
        let prefix = JournalStream.isJournal(fd: capture.writeFD, journalStream: journalStream)
        let writer = LogWriter(fd: capture.writeFD)
        let log = Logger(label: "engine") { label in
            CastorLogging.makeHandler(label: label, format: format, writer: writer, levelControl: LogLevelControl(.trace),
                                      priorityPrefix: prefix)
        }
        for (level, _) in Self.levels {
            log.log(level: level, "a \(level.rawValue) line", metadata: ["event": "test.line", "level_name": "\(level.rawValue)"])
        }
    }

    @Test func aMatchingStreamPrefixesEachJSONLineWithItsPriorityAndTheRestStaysOneObject() async throws {
        let capture = PipeCapture()
        logEveryLevel(capture, format: .json, journalStream: try Self.journalStream(for: capture.writeFD))
        let lines = await capture.finishLines()
        #expect(lines.count == Self.levels.count)
        for ((level, prefix), line) in zip(Self.levels, lines) {
            #expect(line.hasPrefix(prefix + "{"), "\(level): \(line)")
            let object = try #require(PipeCapture.json(String(line.dropFirst(prefix.count))), "not one JSON object after \(prefix): \(line)")
            #expect(object["level"] as? String == level.rawValue)
            #expect(object["event"] as? String == "test.line")
        }
    }

    @Test func aMatchingStreamPrefixesTextLinesToo() async throws {
        let capture = PipeCapture()
        logEveryLevel(capture, format: .text, journalStream: try Self.journalStream(for: capture.writeFD))
        let lines = await capture.finishLines()
        #expect(lines.count == Self.levels.count)
        for ((level, prefix), line) in zip(Self.levels, lines) {
            #expect(line.hasPrefix(prefix), "\(level): \(line)")
            #expect(line.contains("engine: a \(level.rawValue) line"))
        }
    }

    /// A `JOURNAL_STREAM` inherited from a parent whose output went to the journal, while
    /// this output is another pipe or file: no prefix (it would show up in the file).
    @Test func aStreamNamingAnotherDescriptorOrNoneOrGarbageAddsNoPrefix() async throws {
        let other = PipeCapture()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("castor-journal-\(getpid())-\(UInt64.random(in: 0 ... .max))")
        let fileFD = open(file.path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        try #require(fileFD >= 0)
        defer { close(fileFD); unlink(file.path) }

        for stream in [try Self.journalStream(for: other.writeFD), try Self.journalStream(for: fileFD), nil, "", "12", "a:b", "1:2:3"] {
            let capture = PipeCapture()
            logEveryLevel(capture, format: .json, journalStream: stream)
            let lines = await capture.finishLines()
            #expect(lines.count == Self.levels.count)
            for line in lines { #expect(line.hasPrefix(#"{"ts":""#), "JOURNAL_STREAM=\(stream ?? "(unset)"): \(line)") }
        }
        // The file's own stream matches the file.
        #expect(JournalStream.isJournal(fd: fileFD, journalStream: try Self.journalStream(for: fileFD)))
        _ = await other.finishBytes()
    }

    @Test func priorityMapping() {
        for (level, prefix) in Self.levels { #expect("<\(JournalStream.priority(of: level))>" == prefix) }
    }

    /// The background writer's own `log.dropped` notice carries the prefix too (warning).
    @Test func theDropNoticeIsPrefixed() {
        var out: [UInt8] = []
        CastorLogging.dropNotice(format: .json, priorityPrefix: true)(3, &out)
        let line = String(decoding: out, as: UTF8.self)
        #expect(line.hasPrefix("<4>{"))
        #expect(PipeCapture.json(String(line.dropFirst(3)))?["event"] as? String == "log.dropped")
        out.removeAll()
        CastorLogging.dropNotice(format: .json)(3, &out)
        #expect(out.first == UInt8(ascii: "{"))
    }
}
