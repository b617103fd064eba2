import Dispatch
import GeminiProtocol
import GeminiSim
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The local Gemini simulator `castor run` starts when `[venue] name = "sim"` (the default).
///
/// It listens on an ephemeral loopback port (`127.0.0.1:0`), so several daemons and tests
/// can run side by side, with one funded account whose API secret is generated from the
/// kernel's random source at start-up. The secret only ever lives in `credentials` (handed
/// to the engine) and the simulator's key table; it is never logged or written to disk.
/// The simulator lives and dies with the process: its ledger is in memory.
///
/// The key is account-scoped with a time-based nonce, so it works on the new WebSocket API
/// (`wsAPIURL`, the simulator's second port) as well as over REST (Castor's REST nonces,
/// seconds with a millisecond fraction, are time nonces); both share the key's nonce mark.
///
/// Thread safety: immutable after `start`, which completes once; `server` is an actor.
public final class EmbeddedVenue: Sendable {
    /// The key name of the embedded account (same as `castor sim`'s default).
    public static let apiKeyName = "account-castorsim000000001"

    /// The simulator server (its `core` holds the ledger).
    public let server: SimulatorServer
    /// REST base URL, e.g. `http://127.0.0.1:43817`.
    public let restURL: String
    /// WebSocket base URL, e.g. `ws://127.0.0.1:43817`.
    public let webSocketURL: String
    /// The new WebSocket API (Gemini's `wss://ws.gemini.com`), e.g. `ws://127.0.0.1:43819`.
    public let wsAPIURL: String
    /// The funded account's key and generated secret.
    public let credentials: APICredentials
    /// The random token the simulator's `/sim/*` endpoints want in `X-Sim-Admin-Token`.
    public var adminToken: String { server.adminToken.value }

    private init(server: SimulatorServer, endpoint: SimulatorServer.Endpoint, credentials: APICredentials) {
        self.server = server
        restURL = endpoint.restURL
        webSocketURL = endpoint.webSocketURL
        wsAPIURL = endpoint.wsAPIURL
        self.credentials = credentials
    }

    /// Builds and starts the simulator; `completion` runs on `queue` with the running venue.
    /// - Parameters:
    ///   - symbols: symbols to list (nil: the simulator's defaults).
    ///   - seed: seed of the synthetic market (deterministic runs in tests).
    public static func start(symbols: [String]?, seed: UInt64 = 1, logger: Logger, queue: DispatchQueue,
                             completion: @escaping @Sendable (Result<EmbeddedVenue, EmbeddedVenueError>) -> Void) {
        let secret: String
        do { secret = try generatedSecret() } catch {
            return queue.async { completion(.failure(error)) }
        }
        let credentials: APICredentials
        do { credentials = try APICredentials(key: apiKeyName, secret: secret) } catch {
            return queue.async { completion(.failure(.startFailed(reason: "generated credentials rejected: \(error)"))) }
        }
        var config = SimulatorConfig(listen: "127.0.0.1:0", seed: seed)
        if let symbols { config.symbols = symbols }
        config.accounts = [SimAccountConfig(name: "primary", balances: SimAccountConfig.defaultBalances,
                                            keys: [SimAPIKeyConfig(key: apiKeyName, secret: secret, nonceMode: .time)])]
        let server: SimulatorServer
        do {
            server = try SimulatorServer(config: config, log: { record in Self.forward(record, to: logger) })
        } catch {
            return queue.async { completion(.failure(.startFailed(reason: "\(error)"))) }
        }
        Task {
            do {
                let endpoint = try await server.start()
                let venue = EmbeddedVenue(server: server, endpoint: endpoint, credentials: credentials)
                queue.async { completion(.success(venue)) }
            } catch {
                queue.async { completion(.failure(.startFailed(reason: "\(error)"))) }
            }
        }
    }

    /// Stops listening and ends the simulator's tasks; `completion` runs on `queue`.
    public func stop(queue: DispatchQueue, completion: @escaping @Sendable () -> Void) {
        Task { [server] in
            await server.stop()
            queue.async(execute: completion)
        }
    }

    /// The simulator logs its own events (requests, fills) at debug except warnings and
    /// errors; they go to the daemon's log with the `sim` component so one stream holds both.
    private static func forward(_ record: SimLogRecord, to logger: Logger) {
        var metadata: Logger.Metadata = ["event": "\(record.event)"]
        for (key, value) in record.fields where key != "api_secret" { metadata[key] = "\(value)" }
        let level: Logger.Level = switch record.level {
        case .debug: .debug
        case .info: record.event == "sim.listening" || record.event == "sim.stopped" ? .info : .debug
        case .warning: .warning
        case .error: .error
        }
        logger.log(level: level, "\(record.event)", metadata: metadata)
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
    /// The simulator did not start (bind failure, bad configuration).
    case startFailed(reason: String)

    public var description: String {
        switch self {
        case .randomUnavailable(let code):
            "embedded simulator: cannot read /dev/urandom (errno \(code)) to generate its API secret; check PrivateDevices=/DevicePolicy= leave /dev/urandom readable"
        case .startFailed(let reason):
            "embedded simulator did not start: \(reason); check that loopback (127.0.0.1) is available to the service (RestrictAddressFamilies=, IPAddressDeny=)"
        }
    }
}

extension EmbeddedVenue {
    /// A generated secret for tools that build their own simulator (`castor-bench latency`).
    public static func generatedSecretForBench() throws(EmbeddedVenueError) -> String { try generatedSecret() }
}
