import ArgumentParser
import CastorCore
import CastorSimCommand
import Dispatch
import Foundation
import GeminiSim
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `castor-sim` (and `castor sim`, which runs it): the local Gemini exchange simulator,
/// standalone on loopback. Its own executable, so the simulator (its HTTP/WebSocket server
/// package and Foundation's networking) stays out of the `castor` daemon's binary.
///
/// Prints the REST and WebSocket base URLs, the new WebSocket API's URL (`ws_api`, its own
/// port), the default account's API key (and, once, a generated secret), and the admin
/// token that `/sim/*` requests must send in `X-Sim-Admin-Token`, then logs one JSON object
/// per line on stdout until SIGINT/SIGTERM (or, with `--exit-on-stdin-close`, until its
/// standard input closes: `castor run`'s embedded simulator stops with its parent).
@main
struct CastorSim: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "castor-sim", abstract: SimOptions.abstract)

    @OptionGroup var options: SimOptions

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
        let (listen, wsAPIListen, seed, config) = (options.listen, options.wsAPIListen, options.seed, options.config)
        let (apiKey, keyRoles, timeNonce) = (options.apiKey, options.keyRoles, options.timeNonce)
        var apiSecret = options.apiSecret
        if options.secretOnStdin {
            guard apiSecret == nil else { throw ValidationError("--secret-on-stdin and --api-secret: give the secret one way") }
            apiSecret = try Self.secretFromStandardInput()
        }

        var simConfig = try config.map { path in
            do { return try SimulatorConfig.load(path: path) } catch { throw ValidationError("\(error)") }
        } ?? SimulatorConfig(listen: "127.0.0.1:8765")
        if let listen { simConfig.listen = listen }
        if let wsAPIListen { simConfig.wsAPIListen = wsAPIListen }
        if let seed { simConfig.seed = seed }
        if let symbols = options.symbols {
            let list = symbols.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
            guard !list.isEmpty else { throw ValidationError("--symbols: name at least one symbol, e.g. BTCUSD,ETHUSD") }
            simConfig.symbols = list
        }

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
        // The parent's end of our stdin closes when it stops us or dies (even by SIGKILL):
        // then stop like on SIGTERM. (Not PR_SET_PDEATHSIG: it fires when the parent
        // *thread* that spawned us exits, and the daemon spawns from a Dispatch worker.)
        // A blocking read on a thread of its own, not a read source: a read source torn
        // down at a pipe's EOF can crash libdispatch on Linux (see castor's SimulatorProcess).
        if options.exitOnStdinClose {
            let watcher = Thread {
                var bytes = [UInt8](repeating: 0, count: 256)
                while true {
                    let n = bytes.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                }
                stopContinuation.yield(0)
            }
            watcher.name = "castor-sim.stdin"
            watcher.start()
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
                    let record = sig == 0 ? SimLogRecord(level: .info, event: "sim.parent_closed", fields: [("detail", "standard input closed")])
                                          : SimLogRecord(level: .info, event: "sim.signal", fields: [("signal", "\(sig)")])
                    output.write(record.json(timestampMilliseconds: SystemSimClock().nowMilliseconds()))
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

    /// The first line of standard input (at most 1,024 bytes), without its line end.
    static func secretFromStandardInput() throws -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count <= 1024 {
            let n = read(0, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 || byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        guard bytes.count <= 1024 else { throw ValidationError("--secret-on-stdin: the first line of standard input is over 1,024 bytes") }
        let secret = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else { throw ValidationError("--secret-on-stdin: standard input held no secret line") }
        return secret
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
