import CastorCore
import Dispatch
import GeminiProtocol
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The local Gemini simulator `castor run` starts when `[venue] name = "sim"` (the default):
/// `castor-sim`, the executable installed next to `castor`, as a child process
/// (`SimulatorProcess`), so that the simulator's code, its HTTP/WebSocket server package and
/// Foundation's networking stay out of the daemon's binary and memory.
///
/// It listens on ephemeral loopback ports (`127.0.0.1:0`), so several daemons and tests can
/// run side by side, with one funded account whose API secret is generated from the
/// kernel's random source at start-up. The secret only ever lives in `credentials` (handed
/// to the engine) and the child, which reads it from its standard input (never its command
/// line or environment, which other users' `ps` may show); it is never logged or written to
/// disk. The simulator lives and dies with the daemon: its ledger is in the child's memory,
/// and the child stops when its standard input closes (the daemon stopped it, or died).
///
/// The key is account-scoped with a time-based nonce, so it works on the new WebSocket API
/// (`wsAPIURL`, the simulator's second port) as well as over REST (Castor's REST nonces,
/// seconds with a millisecond fraction, are time nonces); both share the key's nonce mark.
///
/// Thread safety: immutable after `start`; the child process is confined to its queue.
public final class EmbeddedVenue: Sendable {
    /// The key name of the embedded account (same as `castor sim`'s default).
    public static let apiKeyName = "account-castorsim000000001"
    /// The header the simulator's `/sim/*` endpoints want `adminToken` in.
    public static let adminTokenHeader = "X-Sim-Admin-Token"

    /// REST base URL, e.g. `http://127.0.0.1:43817`.
    public let restURL: String
    /// WebSocket base URL, e.g. `ws://127.0.0.1:43817`.
    public let webSocketURL: String
    /// The new WebSocket API (Gemini's `wss://ws.gemini.com`), e.g. `ws://127.0.0.1:43819`.
    public let wsAPIURL: String
    /// The funded account's key and generated secret.
    public let credentials: APICredentials
    /// The random token the simulator's `/sim/*` endpoints want in `X-Sim-Admin-Token`.
    public let adminToken: String
    /// The child's process id.
    public var pid: Int32 { process.pid }
    private let process: SimulatorProcess

    private init(process: SimulatorProcess, ready: SimulatorProcess.Ready, credentials: APICredentials) {
        self.process = process
        restURL = ready.restURL
        webSocketURL = ready.webSocketURL
        wsAPIURL = ready.wsAPIURL
        adminToken = ready.adminToken
        self.credentials = credentials
    }

    /// `castor-sim` in the directory of this process's executable (the kernel's
    /// `/proc/self/exe`, so symbolic links to `castor` lead to the real directory).
    public static func simulatorExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return "castor-sim" }
        let me = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (me.lastIndex(of: "/").map { String(me[..<$0]) } ?? ".") + "/castor-sim"
    }

    /// Starts the simulator; `completion` runs on `queue` with the running venue.
    /// - Parameters:
    ///   - symbols: symbols to list (nil: the simulator's defaults).
    ///   - seed: seed of the synthetic market (deterministic runs in tests).
    ///   - executable: the `castor-sim` to run (nil: `simulatorExecutable()`).
    ///   - clock: runs the start deadline and the kill after a stop's grace period.
    ///   - onUnexpectedExit: runs on `queue` if the simulator exits once running without
    ///     `stop` (it crashed or was killed): its ledger, and so the venue, is gone.
    public static func start(symbols: [String]?, seed: UInt64 = 1, executable: String? = nil, logger: Logger, queue: DispatchQueue,
                             clock: EngineClock = .system, onUnexpectedExit: (@Sendable (_ detail: String) -> Void)? = nil,
                             completion: @escaping @Sendable (Result<EmbeddedVenue, EmbeddedVenueError>) -> Void) {
        let secret: String
        do { secret = try generatedSecret() } catch {
            return queue.async { completion(.failure(error)) }
        }
        let credentials: APICredentials
        do { credentials = try APICredentials(key: apiKeyName, secret: secret) } catch {
            return queue.async { completion(.failure(.startFailed(reason: "generated credentials rejected: \(error)"))) }
        }
        var arguments = ["--listen", "127.0.0.1:0", "--ws-api-listen", "127.0.0.1:0", "--seed", "\(seed)",
                         "--api-key", apiKeyName, "--time-nonce", "--secret-on-stdin", "--exit-on-stdin-close"]
        if let symbols { arguments += ["--symbols", symbols.joined(separator: ",")] }
        SimulatorProcess.launch(executable: executable ?? simulatorExecutable(), arguments: arguments, standardInput: secret,
                                queue: queue, clock: clock, logger: logger) { result in
            completion(result.map { process, ready in
                process.onUnexpectedExit = onUnexpectedExit
                return EmbeddedVenue(process: process, ready: ready, credentials: credentials)
            })
        }
    }

    /// Stops the simulator (SIGTERM, SIGKILL if it lingers) and reaps it; `completion` runs on `queue`.
    public func stop(queue: DispatchQueue, completion: @escaping @Sendable () -> Void) {
        process.stop { queue.async(execute: completion) }
    }

    /// 32 bytes from `/dev/urandom` as 64 hex characters.
    static func generatedSecret() throws(EmbeddedVenueError) -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .randomUnavailable(errno: errno) }
        defer { close(fd) }
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw .randomUnavailable(errno: n < 0 ? errno : EIO) }
            filled += n
        }
        defer { bytes.withUnsafeMutableBytes { explicit_bzero($0.baseAddress!, $0.count) } }
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Why the embedded simulator could not start.
public enum EmbeddedVenueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `/dev/urandom` could not be read, so no secret could be generated.
    case randomUnavailable(errno: Int32)
    /// The simulator did not start (bind failure, bad configuration, no ready line).
    case startFailed(reason: String)
    /// There is no executable `castor-sim` at `path`.
    case simulatorMissing(path: String)

    public var description: String {
        switch self {
        case .randomUnavailable(let code):
            "embedded simulator: cannot read /dev/urandom (errno \(code)) to generate its API secret; check PrivateDevices=/DevicePolicy= leave /dev/urandom readable"
        case .startFailed(let reason):
            "embedded simulator did not start: \(reason); check that loopback (127.0.0.1) is available to the service (RestrictAddressFamilies=, IPAddressDeny=)"
        case .simulatorMissing(let path):
            "embedded simulator: \(path) is missing or not executable; castor-sim is installed next to castor (deploy/install.sh) or built with it (swift build --product castor-sim)"
        }
    }
}

extension EmbeddedVenue {
    /// A generated secret for tools that build their own simulator (`castor-bench latency`).
    public static func generatedSecretForBench() throws(EmbeddedVenueError) -> String { try generatedSecret() }
}
