import ArgumentParser
import CastorCore
import Dispatch
import Foundation
import GeminiSim
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `castor sim`: runs the local Gemini exchange simulator standalone on loopback.
///
/// Prints the REST and WebSocket base URLs, the new WebSocket API's URL (`ws_api`, its own
/// port), the default account's API key (and, once, a generated secret), and the admin
/// token that `/sim/*` requests must send in `X-Sim-Admin-Token`, then logs one JSON object
/// per line on stdout until SIGINT/SIGTERM.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the local Gemini exchange simulator (plain HTTP/WS on loopback)."
    )

    @Option(help: "Address to listen on (loopback only), e.g. 127.0.0.1:8765; port 0 picks a free port.")
    var listen: String?

    @Option(name: .customLong("ws-api-listen"),
            help: "Address of the new WebSocket API (loopback only), e.g. 127.0.0.1:8766; port 0 (the default) picks a free port.")
    var wsAPIListen: String?

    @Option(help: "Seed for the synthetic market and random faults.")
    var seed: UInt64?

    @Option(help: "JSON config file (see SimulatorConfig); flags override its listen, ws_api_listen and seed.")
    var config: String?

    @Option(name: .customLong("api-key"), help: "Key name of the default account's API key.")
    var apiKey: String = "account-castorsim000000001"

    @Option(name: .customLong("api-secret"),
            help: "Secret of the default key (else CASTOR_SIM_API_SECRET, else a generated one printed once).")
    var apiSecret: String?

    @Flag(name: .customLong("time-nonce"),
          help: "Make the default key time-based (nonce = Unix seconds ±30 s); the new WebSocket API accepts only such keys.")
    var timeNonce = false

    @Option(name: .customLong("key-roles"),
            help: "Roles of the default key, comma-separated: trader, fundmanager, auditor (default: trader).")
    var keyRoles: String?

    /// `--key-roles` as the simulator's roles; a clear error for a role it does not know.
    static func roles(_ text: String) throws -> [SimAPIKeyConfig.Role] {
        var roles: [SimAPIKeyConfig.Role] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces).lowercased()
            guard let role = SimAPIKeyConfig.Role.allCases.first(where: { $0.rawValue.lowercased() == name }) else {
                throw ValidationError("--key-roles: \"\(part)\" is not a role; use trader, fundmanager or auditor, comma-separated")
            }
            if !roles.contains(role) { roles.append(role) }
        }
        return roles
    }

    func run() throws {
        // Signals first, before any thread is started (see swift-on-linux-notes.md).
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, sig) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)

        var simConfig = try config.map { path in
            do { return try SimulatorConfig.load(path: path) } catch { throw ValidationError("\(error)") }
        } ?? SimulatorConfig(listen: "127.0.0.1:8765")
        if let listen { simConfig.listen = listen }
        if let wsAPIListen { simConfig.wsAPIListen = wsAPIListen }
        if let seed { simConfig.seed = seed }

        var printedSecret: String?
        if keyRoles != nil, !simConfig.accounts.isEmpty {
            throw ValidationError("--key-roles sets the default key's roles; with a --config that lists accounts, give each key its \"roles\" there")
        }
        if simConfig.accounts.isEmpty {
            let secret: String
            if let apiSecret { secret = apiSecret } else if let env = ProcessInfo.processInfo.environment["CASTOR_SIM_API_SECRET"], !env.isEmpty {
                secret = env
            } else {
                secret = try Self.generatedSecret()
                printedSecret = secret
            }
            let roles = try keyRoles.map(Self.roles) ?? [.trader]
            let key = SimAPIKeyConfig(key: apiKey, secret: secret, roles: roles, nonceMode: timeNonce ? .time : .counter)
            simConfig.accounts = [SimAccountConfig(name: "primary", balances: SimAccountConfig.defaultBalances, keys: [key])]
        }

        let output = JSONLineWriter()
        let server: SimulatorServer
        do {
            server = try SimulatorServer(config: simConfig, log: { record in
                output.write(record.json(timestampMilliseconds: SystemSimClock().nowMilliseconds()))
            })
        } catch { throw ValidationError("\(error)") }

        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<String?>(nil)
        let (stopStream, stopContinuation) = AsyncStream<Int32>.makeStream()
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { @Sendable in
                // Hand off only; the shutdown itself runs in the server task.
                stopContinuation.yield(sig)
            }
            source.activate()
            sources.append(source)
        }

        let account = simConfig.accounts[0]
        let secretToPrint = printedSecret
        Task { @Sendable in
            do {
                let endpoint = try await server.start()
                var fields: [(String, String)] = [("rest", endpoint.restURL), ("ws", endpoint.webSocketURL),
                                                  ("ws_api", endpoint.wsAPIURL),
                                                  ("account", account.name), ("api_key", account.keys.first?.key ?? ""),
                                                  // Printed on purpose: whoever started the simulator drives it.
                                                  ("admin_token", server.adminToken.value)]
                if let secretToPrint { fields.append(("api_secret", secretToPrint)) }
                output.write(SimLogRecord(level: .info, event: "sim.ready", fields: fields)
                    .json(timestampMilliseconds: SystemSimClock().nowMilliseconds()))
                for await sig in stopStream {
                    output.write(SimLogRecord(level: .info, event: "sim.signal", fields: [("signal", "\(sig)")])
                        .json(timestampMilliseconds: SystemSimClock().nowMilliseconds()))
                    break
                }
                await server.stop()
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
            done.signal()
        }
        done.wait()
        withExtendedLifetime(sources) {}
        if let message = failure.withLock({ $0 }) { throw ValidationError(message) }
    }

    /// 32 random bytes from the kernel as 64 hex characters.
    static func generatedSecret() throws -> String {
        guard let handle = FileHandle(forReadingAtPath: "/dev/urandom") else {
            throw ValidationError("cannot open /dev/urandom to generate an API secret; pass --api-secret")
        }
        defer { try? handle.close() }
        let bytes = handle.readData(ofLength: 32)
        guard bytes.count == 32 else { throw ValidationError("short read from /dev/urandom; pass --api-secret") }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// Writes whole lines to stdout with one `write(2)` each, so concurrent log lines never interleave.
final class JSONLineWriter: Sendable {
    private let lock = Mutex<Void>(())
    func write(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        lock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
