import CastorCore
import Dispatch
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `castor-sim` as a child process of the daemon: spawned with its standard input and output
/// on pipes, ready once it prints its `sim.ready` line, its later lines forwarded to the
/// daemon's log, stopped by closing its standard input and SIGTERM (SIGKILL after a grace
/// period), and reaped.
///
/// The child dies with its parent: it runs with `--exit-on-stdin-close`, and the write end of
/// its stdin is held only by this process (close-on-exec everywhere else), so the kernel
/// closes it when the daemon exits however it exits, SIGKILL included. (PR_SET_PDEATHSIG is
/// not used: it fires when the *thread* that spawned the child exits, and this runs on a
/// Dispatch worker thread that the pool may retire at any time.) The child gets its own
/// process group, so a terminal's Ctrl-C reaches the daemon only, which stops the
/// simulator after the engine (its shutdown may still cancel orders on it).
///
/// Thread safety: confined to `queue` after `launch`.
final class SimulatorProcess: @unchecked Sendable {
    /// What `sim.ready` said.
    struct Ready: Sendable, Equatable {
        let restURL: String
        let webSocketURL: String
        let wsAPIURL: String
        let adminToken: String
    }

    let pid: pid_t
    private let queue: DispatchQueue
    private let logger: Logger
    private var stdinFD: Int32
    private var pending: [UInt8] = []
    private var recentLines: [String] = []
    private var onReady: ((Result<Ready, EmbeddedVenueError>) -> Void)?
    /// Runs the ready deadline and the kill after the grace period.
    private let clock: EngineClock
    private var readyTimer: ScheduledTimer?
    private var killTimer: ScheduledTimer?
    private var stopping = false
    private var exitStatus: Int32?
    private var onExit: [@Sendable () -> Void] = []
    /// Appended to a start failure's reason.
    private var startNote = ""
    /// Called on `queue` when the child exits without being asked to (after it was ready).
    var onUnexpectedExit: (@Sendable (_ detail: String) -> Void)?

    /// A line longer than this (the child's log lines are short) is dropped, not buffered on.
    private static let maxLineBytes = 64 * 1024

    private init(pid: pid_t, stdinFD: Int32, queue: DispatchQueue, clock: EngineClock, logger: Logger) {
        self.pid = pid
        self.clock = clock
        self.stdinFD = stdinFD
        self.queue = queue
        self.logger = logger
    }

    /// Spawns `executable` with `arguments`; writes `standardInput` (the secret line) to its
    /// stdin; `ready` runs on `queue` once `sim.ready` arrives, or with the failure (it did
    /// not start, exited, or was silent for `readyTimeoutSeconds`).
    static func launch(executable: String, arguments: [String], standardInput: String, queue: DispatchQueue,
                       clock: EngineClock = .system, logger: Logger, readyTimeoutSeconds: Int = 60,
                       ready: @escaping @Sendable (Result<(SimulatorProcess, Ready), EmbeddedVenueError>) -> Void) {
        guard access(executable, X_OK) == 0 else {
            return queue.async { ready(.failure(.simulatorMissing(path: executable))) }
        }
        let spawned: (pid: pid_t, stdin: Int32, stdout: Int32)
        do { spawned = try spawn(executable: executable, arguments: arguments) } catch {
            return queue.async { ready(.failure(error)) }
        }
        let process = SimulatorProcess(pid: spawned.pid, stdinFD: spawned.stdin, queue: queue, clock: clock, logger: logger)
        // The secret line fits the socket's buffer: this send does not block, and a child
        // that is already gone is an error here, not a SIGPIPE (MSG_NOSIGNAL).
        let bytes = Array((standardInput + "\n").utf8)
        let written = bytes.withUnsafeBytes { send(spawned.stdin, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let sendErrno = errno
        queue.async {
            process.onReady = { result in ready(result.map { (process, $0) }) }
            process.startReading(spawned.stdout)
            if written != bytes.count {
                // It closed its stdin already: it is exiting (or will be made to), and its
                // exit status, reported when it is reaped, says more than this errno.
                process.startNote = " (it did not take its secret: errno \(sendErrno))"
                kill(process.pid, SIGTERM)
            }
            process.readyTimer = clock.schedule(on: queue, afterMs: Int64(readyTimeoutSeconds) * 1_000) {
                process.failStart(.startFailed(reason: "castor-sim printed no sim.ready within \(readyTimeoutSeconds) s"))
            }
        }
    }

    /// Stops the child (stdin closed, SIGTERM; SIGKILL after `graceSeconds`); `completion`
    /// runs on `queue` once it has been reaped. Safe to call more than once.
    func stop(graceSeconds: Int = 10, completion: @escaping @Sendable () -> Void) {
        queue.async { [self] in
            if exitStatus != nil { return completion() }
            onExit.append(completion)
            guard !stopping else { return }
            stopping = true
            closeStandardInput()
            kill(pid, SIGTERM)
            killTimer = clock.schedule(on: queue, afterMs: Int64(graceSeconds) * 1_000) { [self] in
                guard exitStatus == nil else { return }
                logger.warning("castor-sim did not stop within \(graceSeconds) s of SIGTERM: killing it",
                               metadata: ["event": "sim.child_killed", "pid": "\(pid)"])
                kill(pid, SIGKILL)
            }
        }
    }

    private func closeStandardInput() {
        guard stdinFD >= 0 else { return }
        close(stdinFD)
        stdinFD = -1
    }

    /// The child's stdout is read by blocking reads on a thread of its own, not a Dispatch
    /// read source: tearing down a read source on a subprocess pipe at EOF intermittently
    /// crashes libdispatch on Linux in `_dispatch_event_loop_drain` (a dangling epoll
    /// muxnote; swift-corelibs-foundation#5507, swift-tools-protocols#73), and it did here
    /// when castor-sim exited. The thread hands each chunk to `queue` in order, and at EOF
    /// (the child exited or closed stdout) reaps the child.
    private func startReading(_ fd: Int32) {
        let pid = pid
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                let chunk = Array(buffer[0..<n])
                queue.async { [self] in received(chunk) }
            }
            close(fd)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let reaped = status
            queue.async { [self] in exited(reaped) }
        }
        thread.name = "castor.sim-output"
        thread.start()
    }

    private func received(_ chunk: [UInt8]) {
        dispatchPrecondition(condition: .onQueue(queue))
        pending += chunk
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            handleLine(line)
        }
        if pending.count > Self.maxLineBytes { pending.removeAll() }
    }

    private func handleLine(_ line: [UInt8]) {
        let text = String(decoding: line, as: UTF8.self)
        if onReady != nil {
            recentLines.append(text)
            if recentLines.count > 20 { recentLines.removeFirst() }
            guard let object = Self.object(line), object["event"] as? String == "sim.ready" else { return forward(line) }
            guard let rest = object["rest"] as? String, let ws = object["ws"] as? String, let wsAPI = object["ws_api"] as? String,
                  let token = object["admin_token"] as? String else {
                return failStart(.startFailed(reason: "castor-sim's sim.ready line lacks rest, ws, ws_api or admin_token: \(text)"))
            }
            readyTimer?.cancel()
            readyTimer = nil
            let ready = onReady
            onReady = nil
            ready?(.success(Ready(restURL: rest, webSocketURL: ws, wsAPIURL: wsAPI, adminToken: token)))
            return
        }
        forward(line)
    }

    /// The simulator's events (requests, fills) at debug except warnings and errors, as the
    /// in-process simulator logged them; with the `sim` component so one stream holds both.
    /// A debug line is not even parsed unless the log shows debug.
    private func forward(_ line: [UInt8]) {
        let isDebug = Self.contains(line, #""level":"debug""#)
        if isDebug, logger.logLevel > .debug { return }
        guard let object = Self.object(line), let event = object["event"] as? String else {
            return logger.warning("castor-sim wrote a line that is not a JSON log record",
                                  metadata: ["event": "sim.output_unparsed", "line": "\(String(decoding: line.prefix(200), as: UTF8.self))"])
        }
        var metadata: Logger.Metadata = ["event": "\(event)"]
        for (key, value) in object where key != "event" && key != "level" && key != "ts_ms" && key != "api_secret" {
            metadata[key] = "\(value)"
        }
        let level: Logger.Level = switch object["level"] as? String {
        case "warning": .warning
        case "error": .error
        case "info": event == "sim.listening" || event == "sim.stopped" ? .info : .debug
        default: .debug
        }
        logger.log(level: level, "\(event)", metadata: metadata)
    }

    private func exited(_ status: Int32) {
        dispatchPrecondition(condition: .onQueue(queue))
        exitStatus = status
        killTimer?.cancel()
        killTimer = nil
        closeStandardInput()
        let described = Self.describe(status)
        if onReady != nil {
            failStart(.startFailed(reason: "castor-sim \(described) before it was ready\(startNote): \(recentLines.suffix(5).joined(separator: " | "))"))
        } else if !stopping {
            logger.error("the embedded simulator (castor-sim, pid \(pid)) \(described): the engine's venue is gone",
                         metadata: ["event": "sim.child_exited", "pid": "\(pid)", "status": "\(described)"])
            onUnexpectedExit?("castor-sim (pid \(pid)) \(described)")
        } else {
            logger.info("castor-sim stopped (\(described))", metadata: ["event": "sim.child_stopped", "pid": "\(pid)"])
        }
        let waiting = onExit
        onExit = []
        for completion in waiting { completion() }
    }

    private func failStart(_ error: EmbeddedVenueError) {
        dispatchPrecondition(condition: .onQueue(queue))
        readyTimer?.cancel()
        readyTimer = nil
        guard let ready = onReady else { return }
        onReady = nil
        if exitStatus == nil {
            stop {}  // a child that is not ready is not left running
        }
        ready(.failure(error))
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal == 0 { return "exited with status \((status >> 8) & 0xFF)" }
        return "was killed by signal \(signal)"
    }

    private static func object(_ line: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
    }

    private static func contains(_ line: [UInt8], _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard line.count >= pattern.count else { return false }
        for start in 0...(line.count - pattern.count) where line[start] == pattern[0] {
            if line[start..<(start + pattern.count)].elementsEqual(pattern) { return true }
        }
        return false
    }

    /// posix_spawn with stdin on a fresh socket pair (so that writing to a child that died is
    /// an error, not a SIGPIPE, even in a process that does not ignore it) and stdout on a
    /// fresh pipe, stderr shared with the daemon, every
    /// other descriptor closed in the child, default signal dispositions and an empty signal
    /// mask (the daemon blocks its signals for its Dispatch sources), its own process group,
    /// and an environment of its own (nothing of the daemon's: no credentials, no NOTIFY_SOCKET).
    private static func spawn(executable: String, arguments: [String]) throws(EmbeddedVenueError) -> (pid: pid_t, stdin: Int32, stdout: Int32) {
        var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &input) == 0 else {
            throw .startFailed(reason: "socketpair failed (errno \(errno))")
        }
        guard pipe(&output) == 0 else {
            let code = errno
            close(input[0]); close(input[1])
            throw .startFailed(reason: "pipe failed (errno \(code))")
        }
        // Ours: input[1] (the child's stdin, which we never read) and output[0]; not
        // inherited by this child (or any later one).
        for fd in [input[1], output[0]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        // Everything else open now (glibc ignores a close of a descriptor closed meanwhile).
        for fd in openDescriptors() where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for sig in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGUSR1] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(input[0])
        close(output[1])
        guard result == 0 else {
            close(input[1]); close(output[0])
            throw .startFailed(reason: "cannot run \(executable): \(String(cString: strerror(result))) (errno \(result))")
        }
        return (pid, input[1], output[0])
    }

    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }
}
