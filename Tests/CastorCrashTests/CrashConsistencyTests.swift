import CastorCore
import CastorJournal
import CastorTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 10's crash-consistency test: `castor run` trades the grid against an external
/// `castor sim` and is killed with SIGKILL at seeded random points (during start-up and
/// in the middle of order bursts, the private REST queue kept backlogged by a low
/// `private_per_second`), then restarted, some restarts with the kill switch engaged.
/// After every iteration the simulator's order list must show no client order id twice
/// and no order of a dead boot created after the next boot started (a stale resend); a
/// kill-switch boot must create no order and leave nothing open. After the last restart
/// castor reconciles, the kill switch (SIGUSR1) cancels everything, SIGTERM stops it, and
/// the journal's fills must equal the simulator's trades of the account.
///
/// `CASTOR_CRASH_SEED` fixes the kill points (the seed is printed); `CASTOR_CRASH_ITERATIONS`
/// sets the number of kills (default 3); `CASTOR_BINARY` points at a `castor` executable
/// (default: the one next to the test bundle); `CASTOR_CRASH_KEEP=1` keeps the temporary
/// directory (logs, configs, state) for inspection. `Scripts/crash-loop.sh` runs it at length.
@Suite("CrashConsistency", .serialized, .tags(.slow))
struct CrashConsistencyTests {
    static let apiKey = "account-crashtest000000001"
    static let apiSecret = "crash-test-secret-0123456789abcdef"

    @Test("kill -9 during order bursts: no duplicate, no stale resend, fills match, kill switch honoured")
    func killNineDuringBursts() async throws {
        let env = ProcessInfo.processInfo.environment
        let seed = env["CASTOR_CRASH_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1 ... 999_999_999)
        let iterations = env["CASTOR_CRASH_ITERATIONS"].flatMap { Int($0) } ?? 3
        say("crash-consistency: seed \(seed) (CASTOR_CRASH_SEED=\(seed) reproduces), \(iterations) iteration(s)")
        var rng = SplitMix64(seed: seed)

        let binary = try Self.castorBinary()
        let dir = NSTemporaryDirectory() + "castor-crash-\(seed)-\(UInt64.random(in: 0 ... .max))"
        let state = dir + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        var run = CrashRun(binary: binary, dir: dir, state: state, seed: seed)
        // A failing run keeps its directory (configs, each boot's log, the journal).
        var problemCount = 0, finished = false
        func record(_ where: String, _ problem: String) {
            problemCount += 1
            Issue.record("seed \(seed) \(`where`): \(problem) (logs: \(dir))")
        }
        defer {
            run.killAll()
            if env["CASTOR_CRASH_KEEP"] == "1" || problemCount > 0 || !finished { say("crash-consistency: kept \(dir)") } else {
                try? FileManager.default.removeItem(atPath: dir)
            }
        }
        try await run.startSimulator()
        let started = ContinuousClock.now

        for i in 0 ..< iterations {
            let iterationStart = ContinuousClock.now
            // Every third restart (the 2nd, 5th, ...) engages the kill switch.
            let killSwitch = i % 3 == 1
            // Where the kill lands (same draws whatever the mode, so a seed replays exactly):
            // 0 during start-up (journal, reconciliation), 1 the moment the k-th order of
            // this boot shows on the simulator (castor may not have its response or journal
            // entry yet), else a random delay into the burst.
            let mode = killSwitch ? 9 : rng.next() % 5
            let duringStartup = mode == 0, onOrder = mode == 1
            let rawDelay = rng.next(), k = 1 + Int(rng.next() % 10)
            let delayMs = duringStartup ? Int(rawDelay % 800) : Int(rawDelay % 2_500)
            // Seeded faults keep requests in flight longer (a kill lands mid-request more
            // often) and drop some new-order responses (the order exists, castor cannot know).
            let delay = [0, 0, 50, 150][Int(rng.next() % 4)], drop = [0, 0, 10, 25][Int(rng.next() % 4)]
            try await run.setFaults(responseDelayMs: delay, dropResponsePercent: drop)
            let daemon = try run.launchDaemon(index: i, killSwitch: killSwitch)
            var what = "faults: delay \(delay) ms, drop \(drop)%; "
            if killSwitch {
                try await run.waitReady(daemon)
                try await pollUntil("iteration \(i) (kill switch): no order left open on the simulator", seconds: 30) {
                    try await run.sim.ledger(account: "primary").orders.allSatisfy { !$0.isLive }
                }
                try await Task.sleep(for: .milliseconds(delayMs))
                what += "kill switch, killed \(delayMs) ms after all orders were cancelled"
            } else if onOrder {
                try await run.waitReady(daemon)
                // Not every boot gets to k orders (a refused order, few fills): then kill anyway.
                let reached = (try? await pollUntil("order #\(k)", seconds: 15, intervalMs: 2) {
                    try await run.ordersOf(daemon).count >= k
                }) != nil
                what += reached ? "killed as order #\(k) of this boot appeared" : "killed after 15 s without an order #\(k)"
            } else if duringStartup {
                try await Task.sleep(for: .milliseconds(delayMs))
                what += "killed \(delayMs) ms after launch"
            } else {
                try await run.waitReady(daemon)
                try await pollUntil("iteration \(i): the first order of this boot on the simulator", seconds: 30) {
                    try await run.ordersOf(daemon).count > 0
                }
                try await Task.sleep(for: .milliseconds(delayMs))
                what += "killed \(delayMs) ms into the burst"
            }
            try await daemon.killNine()
            let ledger = try await run.sim.ledger(account: "primary")
            let mine = try run.orders(of: daemon, in: ledger)
            what += ", \(mine.count) order(s) created by this boot, \(ledger.orders.count) in all, \(ledger.trades.count) trade(s)"
            for p in run.checkOrders(ledger) { record("iteration \(i)", p) }
            // Mid-run the journal may lag the simulator (the next boot catches up), but it
            // must never hold a fill the simulator does not have, or one that differs.
            for p in try run.compareFills(ledger, journalMayLag: true) { record("iteration \(i)", p) }
            say("crash-consistency: iteration \(i): \(what) (\(Self.ms(ContinuousClock.now - iterationStart)) ms)")
        }

        // The last boot: reconcile, cancel everything (kill switch by SIGUSR1) so no more
        // fills can happen, stop gracefully, then the journal must hold exactly the sim's trades.
        try await run.setFaults(responseDelayMs: 0, dropResponsePercent: 0)
        let last = try run.launchDaemon(index: iterations, killSwitch: false)
        try await run.waitReady(last)
        last.signal(SIGUSR1)
        try await pollUntil("final boot: no order left open after SIGUSR1", seconds: 30) {
            try await run.sim.ledger(account: "primary").orders.allSatisfy { !$0.isLive }
        }
        last.signal(SIGTERM)
        let status = try await last.waitForExit(seconds: 30)
        if status != 0 { record("final", "the graceful stop exited \(status)\n\(last.tail())") }
        let ledger = try await run.sim.ledger(account: "primary")
        for p in run.checkOrders(ledger) { record("final", p) }
        let fillProblems = try run.compareFills(ledger)
        for p in fillProblems { record("final", p) }
        finished = true
        let total = ContinuousClock.now - started
        say("crash-consistency: seed \(seed): \(iterations) kill(s), \(ledger.orders.count) order(s), \(ledger.trades.count) trade(s), "
              + "\(Self.ms(total)) ms in all (\(Self.ms(total) / max(1, iterations + 1)) ms per boot)"
              + (fillProblems.isEmpty ? "; journal fills == simulator trades" : ""))
    }

    static func ms(_ d: Duration) -> Int {
        Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }

    /// `CASTOR_BINARY`, else `castor` in the build directory holding the test bundle.
    static func castorBinary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["CASTOR_BINARY"], !path.isEmpty { return path }
        var candidates: [URL] = []
        for start in [CommandLine.arguments.first.map { URL(fileURLWithPath: $0) }, Bundle.main.executableURL,
                      URL(fileURLWithPath: Bundle.main.bundlePath)].compactMap({ $0 }) {
            var url = start.deletingLastPathComponent()
            for _ in 0 ..< 4 {
                candidates.append(url.appendingPathComponent("castor"))
                url = url.deletingLastPathComponent()
            }
        }
        for c in candidates where FileManager.default.isExecutableFile(atPath: c.path) {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: c.path, isDirectory: &isDir), !isDir.boolValue { return c.path }
        }
        throw ChildProcessError(description: "no castor executable next to the test bundle (looked at \(candidates.map(\.path))); build it or set CASTOR_BINARY")
    }
}

/// The simulator, the daemons started so far and the checks over them.
struct CrashRun {
    let binary: String
    let dir: String
    let state: String
    let seed: UInt64
    private(set) var simulator: ChildProcess?
    private(set) var sim = SimAdminClient(restURL: "")
    private(set) var webSocketURL = ""
    /// Every daemon started, in order; boot tokens map to them by launch time.
    private(set) var daemons: [ChildProcess] = []
    private(set) var killSwitchBoots: Set<Int> = []

    init(binary: String, dir: String, state: String, seed: UInt64) {
        self.binary = binary
        self.dir = dir
        self.state = state
        self.seed = seed
    }

    mutating func startSimulator() async throws {
        let config: [String: Any] = [
            "listen": "127.0.0.1:0", "seed": Int(seed % 1_000_000_000), "symbols": ["BTCUSD"],
            "accounts": [["name": "primary", "balances": ["USD": "100000000", "BTC": "10000"],
                          "keys": [["key": CrashConsistencyTests.apiKey, "secret": CrashConsistencyTests.apiSecret]]]],
        ]
        let path = dir + "/sim.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        let p = try ChildProcess(name: "castor sim", executable: binary, arguments: ["sim", "--config", path],
                                 environment: Self.baseEnvironment(), logPath: dir + "/sim.log")
        try p.launch()
        simulator = p
        try await pollUntil("castor sim to print sim.ready", seconds: 30) {
            guard p.process.isRunning else { throw ChildProcessError(description: "castor sim exited\n\(p.tail())") }
            return p.firstEvent("sim.ready") != nil
        }
        let ready = p.firstEvent("sim.ready")!
        guard let rest = ready["rest"] as? String, let ws = ready["ws"] as? String else {
            throw ChildProcessError(description: "sim.ready without rest/ws: \(ready)")
        }
        sim = SimAdminClient(restURL: rest)
        // `castor sim` makes a random admin token at start and prints it in sim.ready.
        if let token = ready["admin_token"] as? String, !token.isEmpty { sim.adminToken = token }
        webSocketURL = ws
    }

    mutating func launchDaemon(index: Int, killSwitch: Bool) throws -> ChildProcess {
        let toml = """
        [venue]
        rest_url = "\(sim.restURL)"
        websocket_url = "\(webSocketURL)"
        [engine]
        symbols = ["BTCUSD"]
        state_directory = "\(state)"
        cancel_on_shutdown = true
        shutdown_timeout = "20s"
        [log]
        level = "info"
        format = "json"
        [strategy]
        name = "grid"
        [strategy.params]
        symbol = "BTCUSD"
        levels = 6
        step = "0.5"
        size = "0.001"
        [risk]
        max_order_notional = "1000000"
        max_position = "1000"
        max_open_orders = 1000
        price_band_bps = 500
        max_orders_per_minute = 600
        kill_switch = \(killSwitch)
        [rate_limits]
        private_per_second = 4
        private_burst = 2
        public_per_second = 2
        public_burst = 2
        """
        let path = dir + "/castor-\(index).toml"
        try toml.write(toFile: path, atomically: true, encoding: .utf8)
        var env = Self.baseEnvironment()
        env["CASTOR_API_KEY"] = CrashConsistencyTests.apiKey
        env["CASTOR_API_SECRET"] = CrashConsistencyTests.apiSecret
        let p = try ChildProcess(name: "castor run #\(index)", executable: binary, arguments: ["run", "--config", path],
                                 environment: env, logPath: dir + "/castor-\(index).log")
        try p.launch()
        daemons.append(p)
        if killSwitch { killSwitchBoots.insert(daemons.count - 1) }
        return p
    }

    /// Replaces the simulator's faults (`POST /sim/faults`).
    func setFaults(responseDelayMs: Int, dropResponsePercent: Int) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["responseDelayMs": responseDelayMs,
                                                               "dropResponsePercent": dropResponsePercent])
        _ = try await sim.adminRequest("/sim/faults", method: "POST", body: body)
    }

    func waitReady(_ p: ChildProcess) async throws {
        try await pollUntil("\(p.name) to log run.ready", seconds: 30) {
            guard p.process.isRunning else {
                throw ChildProcessError(description: "\(p.name) exited \(p.process.terminationStatus) before ready\n\(p.tail())")
            }
            return p.firstEvent("run.ready") != nil
        }
    }

    /// Orders on the simulator whose client order id carries this daemon's boot token.
    func ordersOf(_ p: ChildProcess) async throws -> [SimLedger.Order] {
        try orders(of: p, in: try await sim.ledger(account: "primary"))
    }

    func orders(of p: ChildProcess, in ledger: SimLedger) throws -> [SimLedger.Order] {
        guard let index = daemons.firstIndex(where: { $0 === p }) else { return [] }
        return try ledger.orders.filter { o in try o.clientOrderID.map { try owner(of: $0) == index } ?? false }
    }

    var boots: [BootWindow] {
        daemons.enumerated().map { i, d in
            BootWindow(launchedMs: d.launchedMs, exitedMs: d.exitedMs, killSwitch: killSwitchBoots.contains(i))
        }
    }

    func owner(of clientOrderID: String) throws -> Int? { CrashChecks.owner(of: clientOrderID, boots: boots) }

    func checkOrders(_ ledger: SimLedger) -> [String] {
        CrashChecks.orderProblems(ledger, boots: boots)
    }

    /// The journal's fills against the simulator's trades of the account.
    /// With `journalMayLag`, fills the journal does not have yet are not problems, and a
    /// missing journal (killed before it was created) is fine.
    func compareFills(_ ledger: SimLedger, journalMayLag: Bool = false) throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(atPath: state)
            .filter { $0.hasPrefix("castor.custom-") && $0.hasSuffix(".default.sqlite") && !$0.contains(".previous.") }
        if files.isEmpty, journalMayLag { return [] }
        guard files.count == 1, let file = files.first else { return ["expected one journal in \(state), found \(files)"] }
        let venue = String(file.dropFirst("castor.".count).dropLast(".default.sqlite".count))
        let journal = try Journal(stateDirectory: state, scope: JournalScope(venue: venue, account: nil))
        defer { try? journal.close() }
        let problems = CrashChecks.fillProblems(journal: try journal.fills(), simulator: ledger.trades)
        return journalMayLag ? problems.filter { !$0.hasPrefix("lost fill") } : problems
    }

    func killAll() {
        for d in daemons { d.ensureDead() }
        if let simulator {
            simulator.signal(SIGTERM)
            simulator.ensureDead()
        }
    }

    static func baseEnvironment() -> [String: String] {
        let env = ProcessInfo.processInfo.environment
        var out: [String: String] = [:]
        // CASTOR_SIM_ADMIN_TOKEN passes through in case the simulator reads its admin token from there.
        for key in ["PATH", "HOME", "TMPDIR", "LANG", "LD_LIBRARY_PATH", "CASTOR_SIM_ADMIN_TOKEN"] {
            if let v = env[key] { out[key] = v }
        }
        return out
    }
}

/// One line on stdout at once (unbuffered, so a long run shows its progress).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// SplitMix64: a tiny seeded generator, so a seed replays the same kill points.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
