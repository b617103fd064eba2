import ArgumentParser
import CastorConfig
import CastorEmbeddedSim
import CastorEngine
import CastorLog
import CastorSSL
import CastorStrategy
import CastorSystemd
import Dispatch
import Foundation
import GeminiProtocol
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `castor-bench latency`: tick-to-order latency of the real engine on loopback.
///
/// Set-up: `castor sim` as a child process (synthetic market stepping every `--step-ms`) ←
/// `BenchTapProxy` ← the engine, with `BenchTickStrategy` placing one IOC order per book
/// update at most every `--gap-ms`; the relay and the engine share this process. Measured
/// (see `BenchTapProxy`): from the moment an `l2_updates` frame's bytes have been written
/// into the engine's market-data socket to the moment the engine's `POST /v1/order/new`
/// bytes reach the relay's end of its REST socket (the kernel's receive stamp) — the
/// engine's whole path: Dispatch wake-up, WebSocket read and decode, book update, strategy,
/// order manager, risk, REST queue, nonce + HMAC signing, libcurl write, plus loopback TCP
/// both ways. `relay_*` figures add the relay thread's own wake-up (how the bench measured
/// before it read the kernel's stamp). The engine's `TickTrace` stamps split the path into
/// the per-stage table.
///
/// RSS is this process: the engine as `castor run` would hold it, plus the relay's two
/// threads per connection (64 KiB buffers). The simulator's memory is its own process's.
struct LatencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Measure tick-to-order latency on loopback (use a release build)."
    )

    @Option(help: "Latency samples to collect after warm-up.")
    var samples = 300

    @Option(help: "Warm-up samples discarded first.")
    var warmup = 20

    @Option(name: .customLong("gap-ms"), help: "Minimum milliseconds between the strategy's orders (keeps them inside the rate limit).")
    var gapMs: Int64 = 120

    @Option(name: .customLong("log-level"), help: "Engine log level on stderr.")
    var logLevel = "warning"

    @Option(name: .customLong("step-ms"), help: "Synthetic market step in milliseconds (one book update per step).")
    var stepMs: Int64 = 40

    @Option(name: .customLong("sim-port"),
            help: "Use an already running `castor sim` on this loopback port (with --sim-secret) instead of starting one; e.g. to run the engine under valgrind.")
    var simPort: UInt16?

    @Option(name: .customLong("sim-secret"), help: "Secret of that simulator's default key (account-castorsim000000001).")
    var simSecret: String?

    @Option(name: .customLong("sim-ws-api-port"),
            help: "With --sim-port and --api websocket: that simulator's new WebSocket API port (castor sim --time-nonce --ws-api-listen).")
    var simWebSocketAPIPort: UInt16?

    @Option(help: "The streams' API: websocket (the new WebSocket API) or legacy (/v2/marketdata, /v1/order/events).")
    var api: String = "legacy"

    @Option(name: .customLong("order-entry"), help: "rest (POST /v1/order/new) or websocket (order.place on the new API's account socket; needs --api websocket).")
    var orderEntry: String = "rest"

    @Option(name: .customLong("format"), help: "text or json (one object: p50_us, p99_us, floor_wake_p50_us, floor_wake_p99_us, rss_mib, dirty_mib, samples, …).")
    var format: String = "text"

    @Option(name: .customLong("floor-samples"),
            help: "Samples of the host floor (Dispatch wake-up and cache eviction at the market step's gap) taken before the engine starts; 0 skips it.")
    var floorSamples = 100

    func run() throws {
        SignalHandling.blockSignals()
        SignalHandling.ignoreSIGPIPE()
        OpenSSLLibrary.initialize()
        // Engine logs to stderr at warning so the hot path pays for no log formatting and
        // stdout carries only the results.
        CastorLogging.bootstrap(format: .text, level: Logger.Level(rawValue: logLevel) ?? .warning, fd: 2)
        let rssStart = Self.rssKiB()
        // Before anything else runs, so the floor is the quiet machine's.
        let floor = floorSamples > 0 ? BenchHostFloor.measure(gapMs: stepMs, samples: floorSamples) : nil

        let streamAPI: VenueAPIConfiguration.StreamAPI, entry: VenueAPIConfiguration.OrderEntry
        guard let a = VenueAPIConfiguration.StreamAPI(rawValue: api) else { throw BenchFailure("--api \(api): use websocket or legacy") }
        guard let e = VenueAPIConfiguration.OrderEntry(rawValue: orderEntry) else {
            throw BenchFailure("--order-entry \(orderEntry): use rest or websocket")
        }
        guard format == "text" || format == "json" else { throw BenchFailure("--format \(format): use text or json") }
        (streamAPI, entry) = (a, e)
        if entry == .websocket, streamAPI == .legacy { throw BenchFailure("--order-entry websocket needs --api websocket") }
        if streamAPI == .websocket, simPort != nil, simWebSocketAPIPort == nil {
            throw BenchFailure("--api websocket with --sim-port needs --sim-ws-api-port")
        }

        let secret = try simSecret ?? EmbeddedVenue.generatedSecretForBench()
        let key = simPort == nil ? EmbeddedVenue.apiKeyName : "account-castorsim000000001"
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("castor-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: state) }
        // The new API takes time-nonce keys only; Castor's REST nonces suit both kinds.
        let simConfig = try SimulatorChild.configJSON(
            seed: 7, symbol: "BTCUSD", marketStepMs: stepMs, key: key, secret: secret,
            nonceMode: streamAPI == .websocket ? "time" : "counter",
            balances: ["USD": "1000000", "BTC": "10", "ETH": "100", "SOL": "1000"])
        let simulator = try simPort == nil
            ? SimulatorChild(castor: SimulatorChild.castorNextToThisExecutable(),
                             configJSON: simConfig, directory: state)
            : nil
        defer { simulator?.stop() }
        guard let upstream = simPort ?? simulator.flatMap({ $0.restURL.split(separator: ":").last.flatMap { UInt16($0) } }) else {
            throw BenchFailure("cannot read the simulator's port from \(simulator?.restURL ?? "")")
        }
        let proxy = try BenchTapProxy(upstreamPort: upstream)
        proxy.start()
        let base = "127.0.0.1:\(proxy.port)"
        var webSocketAPIURL: String?
        if streamAPI == .websocket {
            guard let port = simWebSocketAPIPort ?? simulator?.webSocketAPIURL?.split(separator: ":").last.flatMap({ UInt16($0) }) else {
                throw BenchFailure("the simulator reported no ws_api URL in sim.ready")
            }
            let wsProxy = try BenchTapProxy(upstreamPort: port, api: .webSocket, book: proxy.book)
            wsProxy.start()
            webSocketAPIURL = "ws://127.0.0.1:\(wsProxy.port)"
        }
        var config = CastorConfiguration.default
        config.engine.stateDirectory = state
        config.engine.symbols = ["BTCUSD"]
        config.venueAPI.api = streamAPI
        config.venueAPI.orderEntry = entry
        config.strategy.selection = .plugin(path: "/builtin/bench-tick", name: BenchTickStrategy.name)
        config.rateLimits.privatePerSecond = RateLimitConfiguration.privateCeiling
        config.rateLimits.privateBurst = 10
        // The bench places ~8 orders a second; the fresh-install limit is 30 a minute.
        config.risk.defaults.maxOrdersPerMinute = 100_000
        let gap = gapMs
        let factory = ClosureStrategyFactory(name: BenchTickStrategy.name) { _ in BenchTickStrategy(symbol: "BTCUSD", gapMs: gap) }
        let queue = DispatchQueue(label: "castor.engine", qos: .userInitiated)
        TickTrace.shared.setEnabled(true)
        let startBegan = Date()
        let engine = Engine(configuration: config, credentials: try APICredentials(key: key, secret: secret),
                            endpoints: try EngineEndpoints(restBaseURL: "http://\(base)", webSocketBaseURL: "ws://\(base)",
                                                           webSocketAPIURL: webSocketAPIURL),
                            logger: Logger(label: "engine"), queue: queue, feeds: .gemini(for: config), strategies: [factory])
        try startEngine(engine, on: queue)
        let readyMs = Date().timeIntervalSince(startBegan) * 1000
        let rssReady = Self.rssKiB()

        let wanted = warmup + samples
        let began = Date()
        var faultsAtWarm = Self.pageFaults()
        var rssWarm = rssReady
        var lastCount = 0, lastProgress = Date()
        while true {
            let count = proxy.book.stamps.withLock { $0.samplesNs.count }
            if count >= warmup && rssWarm == rssReady { rssWarm = Self.rssKiB(); faultsAtWarm = Self.pageFaults() }
            if count >= wanted { break }
            if count != lastCount { lastCount = count; lastProgress = Date() }
            if Date().timeIntervalSince(lastProgress) > 30 {
                let s = proxy.book.stamps.withLock { $0 }
                throw BenchFailure("no new sample for 30 s (\(count) so far; \(s.frames) book frames relayed, \(s.orders) order requests seen); run with --log-level info to see why")
            }
            usleep(100_000)
        }
        let elapsed = Date().timeIntervalSince(began)
        let rssEnd = Self.rssKiB()
        let faultsAtEnd = Self.pageFaults()
        let stamps = proxy.book.stamps.withLock { $0 }
        let measured = Array(stamps.samplesNs.dropFirst(warmup).prefix(samples)).sorted()
        func pct(_ p: Double) -> Double { Self.percentileMicros(measured, p) }
        let mean = Double(measured.reduce(0, +)) / Double(measured.count) / 1000
        let dirtyEnd = Self.dirtyKiB()
        let records = queue.sync { TickTrace.shared.takeRecords() }
        let stages = LatencyStages(pairs: Array(stamps.pairs.dropFirst(warmup).prefix(samples)), records: records)
        let relay = Array(stamps.relaySamplesNs.dropFirst(warmup).prefix(samples)).sorted()
        if format == "json" {
            let floorWake = floor.map { ($0.wakeNs.sorted(), true) }
            let object: [(String, String)] = [
                ("api", "\"\(streamAPI.rawValue)\""), ("order_entry", "\"\(entry.rawValue)\""),
                ("samples", "\(measured.count)"), ("warmup", "\(warmup)"),
                ("min_us", Self.number(Double(measured.first!) / 1000)), ("p50_us", Self.number(pct(0.50))),
                ("p90_us", Self.number(pct(0.90))), ("p99_us", Self.number(pct(0.99))),
                ("max_us", Self.number(Double(measured.last!) / 1000)), ("mean_us", Self.number(mean)),
                ("floor_wake_p50_us", floorWake.map { Self.number(Self.percentileMicros($0.0, 0.50)) } ?? "null"),
                ("floor_wake_p99_us", floorWake.map { Self.number(Self.percentileMicros($0.0, 0.99)) } ?? "null"),
                ("relay_p50_us", Self.number(Self.percentileMicros(relay, 0.50))),
                ("relay_p99_us", Self.number(Self.percentileMicros(relay, 0.99))),
                ("stages_matched", "\(stages.matched)"),
                ("stages_p50_us", "{" + stages.rows.map { "\"\($0.key)\":\(Self.number($0.p50))" }.joined(separator: ",") + "}"),
                ("stages_p99_us", "{" + stages.rows.map { "\"\($0.key)\":\(Self.number($0.p99))" }.joined(separator: ",") + "}"),
                ("ready_ms", Self.number(readyMs)),
                ("rss_mib", Self.number(Double(rssEnd) / 1024)), ("dirty_mib", Self.number(Double(dirtyEnd) / 1024)),
                ("frames", "\(stamps.frames)"), ("orders", "\(stamps.orders)"),
            ]
            print("{" + object.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
            simulator?.stop()
            Glibc.exit(0)
        }
        let path = streamAPI == .legacy ? "l2_updates frame written to the engine's socket"
            : "depthUpdate frame written to the engine's new-API socket"
        let out = entry == .rest ? "POST /v1/order/new received at the relay's end of its REST socket"
            : "order.place frame received at the relay's end of its account socket"
        print("castor-bench latency: tick-to-order on loopback (\(path) → \(out))")
        print(String(format: "samples %d (after %d warm-up), %.1f s, frames relayed %d, orders %d, market step %d ms, order gap %d ms, engine READY after %.0f ms",
                     measured.count, warmup, elapsed, stamps.frames, stamps.orders, stepMs, gapMs, readyMs))
        print(String(format: "latency µs: min %.1f  p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  mean %.1f",
                     Double(measured.first!) / 1000, pct(0.50), pct(0.90), pct(0.99), Double(measured.last!) / 1000, mean))
        print(String(format: "with the relay's own wake-up (its read returned): p50 %.1f  p99 %.1f",
                     Self.percentileMicros(relay, 0.50), Self.percentileMicros(relay, 0.99)))
        for line in stages.report() { print(line) }
        print(String(format: "RSS MiB (engine process, simulator apart): start %.1f, engine ready %.1f, after warm-up %.1f, end %.1f",
                     Double(rssStart) / 1024, Double(rssReady) / 1024, Double(rssWarm) / 1024, Double(rssEnd) / 1024))
        let detail = Self.memoryDetail()
        print(String(format: "RSS at end, by kind: anonymous (heap, stacks) %.1f MiB, file-backed (code and data of the binary and shared libraries) %.1f MiB",
                     Double(detail.anonymous) / 1024, Double(detail.file) / 1024))
        print(String(format: "dirty memory at end (heap, stacks, written data: what the process holds; the rest of RSS is clean code pages the kernel can drop) %.1f MiB",
                     Double(dirtyEnd) / 1024))
        for line in floor?.report(gapMs: stepMs) ?? [] { print(line) }
        print("page faults while measuring (whole process): minor \(faultsAtEnd.minor - faultsAtWarm.minor), major \(faultsAtEnd.major - faultsAtWarm.major)")
        // Issue 14's goals, against this run's own floor.
        let floorP50 = floor.map { Self.percentileMicros($0.wakeNs.sorted(), 0.50) } ?? .nan
        let floorP99 = floor.map { Self.percentileMicros($0.wakeNs.sorted(), 0.99) } ?? .nan
        func verdict(_ ok: Bool) -> String { ok ? "met" : "NOT met" }
        print(String(format: "goals: p50 within 2x the floor (%.1f ≤ %.1f): %@; p99 within 2x (%.1f ≤ %.1f): %@; RSS ≤ 25 MiB: %@; dirty ≤ 8 MiB: %@",
                     pct(0.50), 2 * floorP50, verdict(pct(0.50) <= 2 * floorP50), pct(0.99), 2 * floorP99,
                     verdict(pct(0.99) <= 2 * floorP99), verdict(Double(rssEnd) / 1024 <= 25), verdict(Double(dirtyEnd) / 1024 <= 8)))
        simulator?.stop()
        Glibc.exit(0)
    }

    /// Minor and major page faults of this process so far (/proc/self/stat fields 10, 12).
    static func pageFaults() -> (minor: Int, major: Int) {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return (0, 0) }
        // Fields after the command name, which may itself contain spaces or parentheses.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 9 else { return (0, 0) }
        return (Int(fields[7]) ?? 0, Int(fields[9]) ?? 0)
    }

    /// `RssAnon` and `RssFile` from /proc/self/status, in KiB.
    static func memoryDetail() -> (anonymous: Int, file: Int) {
        (statusField("RssAnon:"), statusField("RssFile:"))
    }

    private static func statusField(_ name: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    /// The `q` quantile (nearest rank) of nanosecond samples sorted ascending, in µs.
    static func percentileMicros(_ sorted: [UInt64], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return Double(sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * q).rounded(.up)) - 1))]) / 1000
    }

    /// `Private_Dirty` + `Shared_Dirty` from /proc/self/smaps_rollup, in KiB.
    static func dirtyKiB() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/smaps_rollup", encoding: .utf8) else { return 0 }
        return text.split(separator: "\n")
            .filter { $0.hasPrefix("Private_Dirty:") || $0.hasPrefix("Shared_Dirty:") }
            .reduce(0) { $0 + (Int($1.split(separator: " ").dropFirst().first ?? "0") ?? 0) }
    }

    /// A JSON number with one decimal (NaN as null).
    static func number(_ value: Double) -> String { value.isFinite ? String(format: "%.1f", value) : "null" }

    /// `VmRSS` from /proc/self/status, in KiB.
    static func rssKiB() -> Int { statusField("VmRSS:") }
}
