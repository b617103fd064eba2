import ArgumentParser
import CastorConfig
import CastorCore
import CastorEngine
import CastorStrategy
import Dispatch
import Foundation
import GeminiProtocol
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `castor-bench soak`: the real engine trading against `castor sim` (a child process) on
/// an accelerated clock, for the equivalent of `--hours` of engine time at the configured
/// private rate limit, sampling this process's dirty memory, which must stay flat.
///
/// The engine's `EngineClock` runs `--speed` times faster than real time, so its token
/// buckets (`[rate_limits] private_per_second`), deadlines and backoff pass that much
/// faster; the feeds' heartbeat and staleness limits are scaled by the same factor, since
/// the simulator's heartbeats and market steps come in real time. The simulator's own rate
/// limiting is off. Nonces keep the wall clock (`NonceSource`): above 1000 private requests
/// per real second they would run ahead of it (the report prints the persisted nonce mark's
/// lead).
///
/// Limits of the acceleration (the engine's, not fixable here): its timers and the REST
/// queue's wake-up use `asyncAfter` with engine-time delays taken as real time
/// (`Engine.armSchedulerWake`), so a token-bucket wait lasts `speed` times too long in
/// engine time, and a queued new order's 10 s engine-time deadline is only `10 / speed` s
/// real. So `speed` must stay low enough that a REST round trip to the simulator (about
/// 2.5 ms through `QuickAckRelay`, 44 ms without it) is well inside `10 s / speed` (else
/// orders are dropped as expired: see the rejected column), and `speed × rate` must exceed
/// the requests the engine can make (about 400 a second here), so the bucket never
/// empties. The engine therefore runs below `rate` in engine time; the report gives the
/// rate it reached. Defaults: ×160 for 24 h after 12,000 warm-up orders, about 10 minutes.
struct SoakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Trade against the simulator on a fast clock for many hours' worth of orders; memory must stay flat.")

    @Option(help: "Engine-time duration to cover after warm-up, in hours.")
    var hours: Double = 24

    @Option(help: "Engine clock multiplier (engine time passes this many times faster than real time).")
    var speed: Double = 160

    @Option(help: "Stop after this many orders placed after warm-up instead of after --hours.")
    var orders: Int?

    @Option(name: .customLong("rate"), help: "[rate_limits] private_per_second, in engine time.")
    var rate: Double = 10

    @Option(name: .customLong("burst"), help: "[rate_limits] private_burst.")
    var burst = 10

    @Option(help: "Orders the strategy keeps live at once.")
    var slots = 1

    @Option(name: .customLong("taker-every"), help: "Every Nth order is an immediate-or-cancel taker order (fills); 0: none.")
    var takerEvery = 10

    @Option(name: .customLong("warmup-orders"),
            help: "Orders placed before the start sample (past the order manager's 10,000-entry recent-id rings).")
    var warmupOrders = 12_000

    @Option(name: .customLong("state-dir"), help: "State directory (journal, nonce mark); default a fresh temporary one, removed at the end.")
    var stateDir: String?

    @Option(help: "castor executable for `castor sim` (default: the one next to this castor-bench).")
    var castor: String?

    @Flag(name: .customLong("no-relay"),
          help: "Talk REST to the simulator directly, without the quick-ACK relay (each round trip then costs ~44 ms: see QuickAckRelay).")
    var noRelay = false

    @Option(name: .customLong("log-level"), help: "Engine log level on stderr.")
    var logLevel = "error"

    func validate() throws {
        guard hours > 0, speed >= 1, rate > 0, burst >= 1, slots >= 1, warmupOrders >= 0 else {
            throw ValidationError("--hours, --rate > 0; --speed, --burst, --slots >= 1")
        }
        if let orders, orders < 10 { throw ValidationError("--orders must be at least 10") }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let state = stateDir ?? FileManager.default.temporaryDirectory.appendingPathComponent("castor-soak-\(getpid())").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let removeState = stateDir == nil
        defer { if removeState { try? FileManager.default.removeItem(atPath: state) } }

        let key = "account-castorsoak0000001", secret = try Self.randomHex(32)
        let sim = try SimulatorChild(castor: castor ?? SimulatorChild.castorNextToThisExecutable(),
                                     configJSON: SimulatorChild.configJSON(
                                         seed: 11, symbol: "BTCUSD", marketStepMs: 100, key: key, secret: secret, nonceMode: "counter",
                                         balances: ["USD": "1000000000", "BTC": "100000", "ETH": "1000000"], unlimitedRates: true),
                                     directory: state)
        defer { sim.stop() }

        var restURL = sim.restURL
        if !noRelay {
            guard let text = sim.restURL.split(separator: ":").last, let upstream = UInt16(text) else {
                throw BenchFailure("cannot read the simulator's port from \(sim.restURL)")
            }
            let relay = try QuickAckRelay(upstreamPort: upstream)
            relay.start()
            restURL = "http://127.0.0.1:\(relay.port)"
        }

        let clock = Self.acceleratedClock(speed: speed)
        let scale = Int(speed.rounded(.up))
        var config = CastorConfiguration.default
        config.venue = .custom(restURL: restURL, websocketURL: sim.webSocketURL)
        config.engine.stateDirectory = state
        config.engine.symbols = ["BTCUSD"]
        config.strategy.selection = .plugin(path: "/none", name: SoakChurnStrategy.name)
        config.rateLimits.privatePerSecond = rate
        config.rateLimits.privateBurst = burst
        config.rateLimits.publicPerSecond = 2
        config.risk.defaults = RiskLimits(maxOrderNotional: 1_000_000_000, maxPosition: 1_000_000, maxOpenOrders: slots * 4,
                                          priceBandBps: 500, maxOrdersPerMinute: 1_000_000, killSwitch: false)
        // The simulator's heartbeats and book updates come in real time: scale the limits
        // that are measured on the engine's (fast) clock.
        config.feeds.heartbeatTimeout = config.feeds.heartbeatTimeout * scale
        config.feeds.staleMarketAfter = config.feeds.staleMarketAfter * scale
        config.feeds.reconnectBackoffBase = config.feeds.reconnectBackoffBase * scale
        config.feeds.reconnectBackoffCap = config.feeds.reconnectBackoffCap * scale
        config.feeds.stableAfter = config.feeds.stableAfter * scale

        let counters = SoakCounters()
        let (slots, takerEvery) = (self.slots, self.takerEvery)
        let factory = ClosureStrategyFactory(name: SoakChurnStrategy.name) { _ in
            SoakChurnStrategy(symbol: "BTCUSD", slots: slots, takerEvery: takerEvery, counters: counters)
        }
        let level = Logger.Level(rawValue: logLevel) ?? .error
        let logger = Logger(label: "castor.soak") { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let queue = DispatchQueue(label: "castor.engine", qos: .userInitiated)
        let engine = Engine(configuration: config, credentials: try APICredentials(key: key, secret: secret),
                            endpoints: try EngineEndpoints(restBaseURL: restURL, webSocketBaseURL: sim.webSocketURL),
                            logger: logger, queue: queue, clock: clock, feeds: .gemini, strategies: [factory])
        try startEngine(engine, on: queue)

        let target = orders.map { "\($0) orders" } ?? String(format: "%.1f h of engine time", hours)
        emit("castor-bench soak: \(target) after \(warmupOrders) warm-up orders; rate \(rate)/s burst \(burst) (engine time), clock ×\(speed), \(slots) live orders, 1 in \(takerEvery) a taker")
        emit("engine pid \(getpid()), simulator pid \(sim.pid) (its memory is not counted); REST \(restURL)\(noRelay ? "" : " (quick-ACK relay, in this process)"); state \(state)")
        let sampler = SoakSampler(engine: engine, counters: counters, clock: clock, simPID: sim.pid,
                                  journal: (state as NSString).appendingPathComponent(Engine.journalScope(for: config).fileName))
        try sampler.run(warmupOrders: warmupOrders, orders: orders, durationMs: Int64(hours * 3_600_000))
        sampler.report(rateLimit: rate, stateDirectory: state)

        let stopped = DispatchSemaphore(value: 0)
        queue.async { engine.shutdown(cancelOpenOrders: true, deadline: .now() + 20) { _ in stopped.signal() } }
        _ = stopped.wait(timeout: .now() + 30)
        sim.stop()
        if removeState { try? FileManager.default.removeItem(atPath: state) }
        Glibc.exit(0)
    }

    /// Wall time at the first call, then advanced by CLOCK_MONOTONIC × `speed`; it is its
    /// own wall clock (the engine's world runs fast as a whole, so it sees no skew).
    static func acceleratedClock(speed: Double) -> EngineClock {
        let anchorWall = EngineClock.systemWallMs()
        let anchorNs = DispatchTime.now().uptimeNanoseconds
        return EngineClock(nowMs: {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds &- anchorNs)
            return anchorWall &+ Int64(elapsed * speed / 1_000_000)
        })
    }

    /// The soak's simulator: one symbol, the synthetic market on, its REST rate limiting off
    /// (the engine's own token bucket paces the soak, on the accelerated clock), one account
    /// with a counter-nonce key.
    static func randomHex(_ count: Int) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: "/dev/urandom") else { throw BenchFailure("cannot open /dev/urandom") }
        defer { try? handle.close() }
        let bytes = handle.readData(ofLength: count)
        guard bytes.count == count else { throw BenchFailure("short read from /dev/urandom") }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}
