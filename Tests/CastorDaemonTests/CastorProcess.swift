import CastorTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `castor` child process for the end-to-end tests: stdout collected line by line (JSON
/// lines parsed), waits on log lines with deadlines instead of sleeps.
final class CastorProcess: @unchecked Sendable {
    /// The built `castor` (see `CastorExecutable.path`: next to the test bundle first).
    static let binary: String? = CastorExecutable.path

    let process = Process()
    private let output = Pipe()
    private let condition = NSCondition()
    private var lines: [String] = []
    private var eof = false
    private var reader: Thread?

    /// - Parameter journalStream: set `JOURNAL_STREAM` to the output pipe's own device and
    ///   inode, as systemd does when stdout is the journal (lines then carry `<N>` prefixes,
    ///   which `parse` skips).
    init(arguments: [String], environment: [String: String], journalStream: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: Self.binary ?? "/nonexistent/castor")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "CASTOR_API_KEY", "CASTOR_API_SECRET",
                    "CREDENTIALS_DIRECTORY", "STATE_DIRECTORY"] { env[key] = nil }
        env.merge(environment) { _, new in new }
        if journalStream {
            var info = stat()
            guard fstat(output.fileHandleForWriting.fileDescriptor, &info) == 0 else { throw CocoaError(.fileReadUnknown) }
            env["JOURNAL_STREAM"] = "\(info.st_dev):\(info.st_ino)"
        }
        process.environment = env
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let handle = output.fileHandleForReading
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                condition.lock()
                if chunk.isEmpty {
                    if !pending.isEmpty { lines.append(String(decoding: pending, as: UTF8.self)) }
                    eof = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending = Data(pending[(newline + 1)...])
                }
                condition.broadcast()
                condition.unlock()
            }
        }
        reader = thread
        thread.start()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var pid: Int32 { process.processIdentifier }

    /// Every line so far.
    var allLines: [String] {
        condition.lock()
        defer { condition.unlock() }
        return lines
    }

    /// Lines so far that parse as JSON objects.
    var jsonLines: [[String: Any]] { allLines.compactMap(Self.parse) }

    /// A JSON line as an object, after its journald priority prefix (`<N>`) if it has one.
    static func parse(_ line: String) -> [String: Any]? {
        let body = priority(of: line) == nil ? Substring(line) : line.dropFirst(3)
        return (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }

    /// The syslog priority a line starts with (`<3>{…}` → 3), if any.
    static func priority(of line: String) -> Int? {
        let bytes = Array(line.utf8.prefix(3))
        guard bytes.count == 3, bytes[0] == UInt8(ascii: "<"), bytes[2] == UInt8(ascii: ">"),
              (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(bytes[1]) else { return nil }
        return Int(bytes[1] - UInt8(ascii: "0"))
    }

    /// Waits for a JSON line (from index `after` on) matching `predicate`; returns it and its index.
    /// Async: the waiting is done on a thread of its own, never on the cooperative pool.
    @discardableResult
    func waitForJSON(after: Int = 0, timeout: Double, _ predicate: ([String: Any]) -> Bool) async -> (index: Int, object: [String: Any])? {
        let deadline = Date().addingTimeInterval(timeout)
        var checked = after
        while true {
            let (fresh, ended) = snapshot(from: checked)
            for line in fresh {
                if let object = Self.parse(line), predicate(object) { return (checked, object) }
                checked += 1
            }
            if ended || Date() >= deadline { return nil }
            await waitForLines(beyond: checked, until: deadline)
        }
    }

    /// Lines from index `start` on, and whether the output has ended.
    private func snapshot(from start: Int) -> ([String], Bool) {
        condition.lock()
        defer { condition.unlock() }
        return (start < lines.count ? Array(lines[start...]) : [], eof)
    }

    /// Returns once there are more than `count` lines, the output ended, or `deadline` passed.
    private func waitForLines(beyond count: Int, until deadline: Date) async {
        await offPool { [self] in
            condition.lock()
            defer { condition.unlock() }
            while lines.count <= count && !eof && condition.wait(until: deadline) {}
        }
    }

    /// Waits for a line with `msg` equal to `message`.
    @discardableResult
    func waitForMessage(_ message: String, after: Int = 0, timeout: Double) async -> (index: Int, object: [String: Any])? {
        await waitForJSON(after: after, timeout: timeout) { $0["msg"] as? String == message }
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for exit, then for the output to reach EOF; nil if still running at the deadline.
    func waitForExit(timeout: Double) async -> Int32? {
        await offPool { [self] in waitForExitBlocking(timeout: timeout) }
    }

    /// `waitForExit` for a thread that may block (a deinit); never on the cooperative pool.
    func waitForExitBlocking(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        let exited = DispatchSemaphore(value: 0)
        let process = self.process
        Thread { process.waitUntilExit(); exited.signal() }.start()
        guard exited.wait(timeout: .now() + max(0, deadline.timeIntervalSinceNow)) == .success else { return nil }
        // Let the reader drain the pipe to EOF so callers see every line.
        condition.lock()
        while !eof && condition.wait(until: Date().addingTimeInterval(5)) {}
        condition.unlock()
        return process.terminationStatus
    }

    /// The last line written (after `waitForExit`: the process's final line).
    var lastLine: String? { allLines.last(where: { !$0.isEmpty }) }

    /// A fresh temporary directory.
    static func temporaryDirectory(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("castor-e2e-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
