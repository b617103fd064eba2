import Foundation
import Testing
@testable import CastorRecord

/// `castor record`'s file rotation: by size and by UTC hour, whole chunks only, parts named
/// `FILE`, `FILE.1`, … in order, and a write failure reported with the path and call.
@Suite struct RecordingFilesTests {
    static func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("castor-rec-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func chunk(_ line: String) -> [UInt8] { Array((line + "\n").utf8) }

    @Test func bySizeANewPartStartsBeforeAChunkWouldPassTheLimit() throws {
        let base = try Self.directory() + "/rec.txt"
        let files = try RecordingFiles(path: base, rotation: .bytes(20), nowMs: 0)
        for i in 0..<5 { try files.write(Self.chunk("1.000: {\"n\":\(i)}"), timeMs: 0) }  // 15 bytes each
        try files.close()
        #expect(files.paths == [base, base + ".1", base + ".2", base + ".3", base + ".4"])
        #expect(try String(contentsOfFile: base + ".2", encoding: .utf8) == "1.000: {\"n\":2}\n")
        #expect(files.totalBytes == 75)
    }

    @Test func hourlyANewPartStartsWhenTheUTCHourChanges() throws {
        let base = try Self.directory() + "/rec.txt"
        let hour: Int64 = 3_600_000
        let files = try RecordingFiles(path: base, rotation: .hourly, nowMs: 10 * hour)
        try files.write(Self.chunk("a"), timeMs: 10 * hour + 1)
        try files.write(Self.chunk("b"), timeMs: 11 * hour - 1)
        try files.write(Self.chunk("c"), timeMs: 11 * hour)
        try files.close()
        #expect(files.paths == [base, base + ".1"])
        #expect(try String(contentsOfFile: base, encoding: .utf8) == "a\nb\n")
        #expect(try String(contentsOfFile: base + ".1", encoding: .utf8) == "c\n")
    }

    @Test func anUnwritableOutputFailsAtOnceNamingThePath() {
        let path = "/nonexistent-dir-\(UUID().uuidString)/rec.txt"
        do {
            _ = try RecordingFiles(path: path, rotation: .none, nowMs: 0)
            Issue.record("an unwritable path was accepted")
        } catch {
            #expect(error.path == path && error.call == "open")
        }
    }
}
