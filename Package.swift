// swift-tools-version:6.2
import PackageDescription

// Module map (each folder under Sources/ is one module with one job):
//   CCurl, COpenSSL, CWslay   system libraries (thin C shims, imported by one module each)
//   CProcess                  prctl / setrlimit shims for process hardening (CastorSystemd)
//   CastorCore                exact decimals and small shared value types, no I/O
//   CastorSSL                 OpenSSL: HMAC-SHA384, SHA-1, random bytes, TLS client sessions
//   CastorHTTP                libcurl: keep-alive HTTP client driven by Dispatch
//   CastorWebSocket           RFC 6455 client over TCP / TLS (framing by libwslay)
//   GeminiProtocol            Gemini wire format: signing, nonces, message and REST decoders
//   GeminiClient              Gemini REST endpoints over CastorHTTP
//   MarketData                L2 order books, the market-data hot path, replay
//   GeminiSim                 a local Gemini exchange: matching engine, market, REST/WS server
//   CastorLog                 swift-log handlers: one JSON object per line, or text
//   CastorConfig              the TOML configuration, its validation, and credentials
//   CastorSystemd             sd_notify, watchdog, signal sources
//   CastorTrading             pure trading logic: order lifecycle, REST queue policy, risk
//   CastorStrategy            the strategy plug-in interface (also a dynamic library)
//   CastorStrategies          the built-in strategies: market-maker, grid, twap, observe
//   CastorJournal             the durable SQLite journal of intents, orders and fills
//   CastorFeeds               the exchange feeds behind adapters: market data, order events
//   CastorEngine              the trading engine: order manager, strategies, feeds and journal wiring
//   CastorDaemon              the process shell: reload, shutdown, watchdog, state lock (sees only ManagedEngine)
//   CastorEmbeddedSim         the simulator `castor run` starts for venue `sim`: castor-sim as a child process
//   CastorSimCommand          the simulator's command line (castor sim and castor-sim share it)
//   CastorBacktest            `castor backtest`: the engine on a manual clock against a recording and a local fill model
//   castor                    the command-line executable (and Engine's ManagedEngine conformance)
//   castor-sim                the local Gemini simulator as an executable of its own (GeminiSim)
//   castor-bench              benchmarks: journal start-up with 1M fills, tick-to-order latency, synthetic L2, the accelerated soak
// The modules on the per-message path whose state lives in classes (the feed adapters and
// `MarketBooks`, the engine and its strategy runner, the backtest's feed and venue): each
// access to a class's stored property there costs a dynamic exclusivity check (a
// thread-local access set, about 100 instructions), some 14 a market-data message —
// 1,400 of the backtest's ~8,000 instructions a message (callgrind). Release builds of these
// modules leave the checks out; debug builds, which every test and fuzzer runs, keep them.
let hotPathSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Castor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "castor", targets: ["castor"]),
        // The local Gemini simulator (`castor sim` runs it; `castor run`'s embedded simulator is
        // one as a child process): apart, so the daemon's binary carries no simulator.
        .executable(name: "castor-sim", targets: ["castor-sim"]),
        .executable(name: "castor-bench", targets: ["castor-bench"]),
        .library(name: "CastorStrategy", type: .dynamic, targets: ["CastorStrategy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CWslay",
            providers: [.apt(["libwslay-dev"])]
        ),
        // prctl(2) and setrlimit(2) for process hardening; header-only, imported by CastorSystemd only.
        .systemLibrary(name: "CProcess"),
        .target(name: "CastorCore"),
        .target(name: "CastorSSL", dependencies: ["COpenSSL"]),
        .target(name: "CastorHTTP", dependencies: ["CCurl", "CastorSSL"]),
        .target(name: "CastorWebSocket", dependencies: ["CWslay", "CastorSSL"]),
        .target(name: "GeminiProtocol", dependencies: ["CastorCore", "CastorSSL"]),
        .target(name: "GeminiClient", dependencies: ["GeminiProtocol", "CastorHTTP", "CastorCore"]),
        .target(name: "MarketData", dependencies: ["CastorCore", "GeminiProtocol"]),
        .target(
            name: "GeminiSim",
            dependencies: [
                "CastorCore", "GeminiProtocol", "CastorSSL",
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ]
        ),
        .target(name: "CastorLog", dependencies: ["CastorCore", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "CastorConfig",
            dependencies: ["CastorCore", "GeminiProtocol", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .target(name: "CastorSystemd", dependencies: ["CProcess"]),
        // Full cross-module optimization: the engine's generic uses of the request
        // scheduler and the order manager are specialized instead of going through
        // metadata and witness tables on every order (about 25,000 instructions each).
        .target(name: "CastorTrading", dependencies: ["CastorCore"],
                swiftSettings: [.unsafeFlags(["-cross-module-optimization"])]),
        .target(name: "CastorStrategy", dependencies: ["CastorCore"]),
        .target(name: "CastorStrategies", dependencies: ["CastorStrategy", "CastorCore"]),
        .target(name: "CastorJournal", dependencies: ["CastorCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "CastorFeeds",
            dependencies: [
                "GeminiProtocol", "GeminiClient", "CastorHTTP", "CastorWebSocket", "MarketData", "CastorTrading",
            ],
            swiftSettings: hotPathSwiftSettings
        ),
        .target(
            name: "CastorEngine",
            dependencies: [
                "CastorCore", "CastorLog", "CastorConfig", "CastorTrading", "CastorStrategy",
                "CastorStrategies", "CastorJournal", "CastorFeeds", "GeminiProtocol", "GeminiClient", "MarketData",
                "CastorStatus", .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: hotPathSwiftSettings
        ),
        // The process shell of `castor run`. It drives the engine only through the
        // `ManagedEngine` protocol and does not depend on CastorEngine, so it is tested
        // against a scripted engine; the executable supplies Engine's conformance.
        // What `castor status` shows, as plain values: the engine fills it, the daemon serves it
        // on its control socket, the command line prints it.
        .target(name: "CastorStatus"),
        // `[alerts] webhook_url`: alerting log events posted as JSON through libcurl.
        .target(name: "CastorAlerts", dependencies: ["CastorCore", "CastorHTTP", .product(name: "Logging", package: "swift-log")]),
        // The Prometheus endpoint (`[metrics] listen`): swift-prometheus behind swift-metrics,
        // served by a small Dispatch HTTP/1.1 server of its own (`MetricsHTTPServer`): an HTTP
        // server package would bring Foundation's networking into the daemon for two GET routes.
        .target(
            name: "CastorMetrics",
            dependencies: [
                "CastorCore",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "CastorDaemon",
            dependencies: ["CastorCore", "CastorConfig", "CastorSystemd", "CastorStatus",
                           .product(name: "Logging", package: "swift-log")]
        ),
        // The embedded simulator of `castor run` (venue `sim`): `castor-sim` as a child process.
        // No GeminiSim here, so neither the daemon nor the engine links the simulator.
        .target(
            name: "CastorEmbeddedSim",
            dependencies: ["CastorCore", "GeminiProtocol", .product(name: "Logging", package: "swift-log")]
        ),
        // The simulator's command line, shared by `castor sim` (help, then it runs castor-sim)
        // and `castor-sim`; options only.
        .target(name: "CastorSimCommand", dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "castor-sim",
            dependencies: ["GeminiSim", "CastorCore", "CastorSimCommand",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // `castor record`: market data v2 frames into time-prefixed recording files.
        .target(name: "CastorRecord", dependencies: ["CastorCore", "CastorFeeds", "CastorWebSocket", "GeminiClient"]),
        // `castor backtest`: the real Engine on a ManualClock, fed a market data recording,
        // trading on a local fill model (BacktestVenue) behind VenueExecution.
        .target(
            name: "CastorBacktest",
            dependencies: [
                "CastorCore", "CastorConfig", "CastorEngine", "CastorFeeds", "CastorStrategy", "CastorTrading",
                "GeminiProtocol", "MarketData", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotPathSwiftSettings
        ),
        .executableTarget(
            name: "castor",
            dependencies: [
                "CastorBacktest", "CastorRecord", "CastorCore", "CastorSSL", "MarketData", "GeminiProtocol", "GeminiClient",
                "CastorEngine", "CastorStrategy", "CastorStrategies", "CastorDaemon", "CastorEmbeddedSim", "CastorSimCommand", "CastorConfig", "CastorLog",
                "CastorSystemd", "CastorStatus", "CastorMetrics", "CastorAlerts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["exported-symbols.map"],
            // Strategy plug-ins link libCastorStrategy.so; exporting the executable's own
            // (statically linked) CastorStrategy symbols makes the plug-in's references bind
            // to them, so both sides share one `Strategy` type. See PluginLoader. Only
            // CastorStrategy's and CastorCore's symbols (the version script): exporting all
            // of them put every module's symbol table into the daemon's memory.
            // Linked by lld with packed relative relocations (DT_RELR, glibc 2.36+, Debian 12):
            // the ~19,000 R_X86_64_RELATIVE entries of a PIE Swift binary (Swift metadata
            // pointers) are 618 KB of .rela.dyn the loader reads at every start, 5 KB as RELR
            // (about 0.5 MB less RSS); the executable stays position-independent.
            linkerSettings: [.unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                                           "-Xlinker", "--export-dynamic",
                                           "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/castor/exported-symbols.map"],
                                          .when(platforms: [.linux]))],
            // `CastorBuildInfo.commit` for `castor --version`.
            plugins: ["CastorBuildInfo"]
        ),
        // Writes the git commit of the tree into the `castor` target at build time.
        .plugin(name: "CastorBuildInfo", capability: .buildTool()),
        // Benchmarks that need a large made-up state (e.g. a journal of a million fills), and
        // the loopback latency bench (`castor-bench latency` spawns the `castor` next to it as
        // its simulator) and its synthetic input (`synth-l2`).
        .executableTarget(
            name: "castor-bench",
            dependencies: [
                "CastorCore", "CastorEngine", "CastorJournal", "GeminiProtocol",
                "CastorConfig", "CastorLog", "CastorSSL", "CastorStrategy", "CastorSystemd", "CastorEmbeddedSim",
                "MarketData", .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "CastorCoreTests", dependencies: ["CastorCore"]),
        .testTarget(name: "CastorSSLTests", dependencies: ["CastorSSL"]),
        // Test-only helpers shared by test targets (the Python peer launcher, the built castor's path).
        .target(name: "CastorTestSupport", path: "Tests/CastorTestSupport"),
        .testTarget(name: "CastorHTTPTests", dependencies: ["CastorHTTP", "CastorTestSupport"], exclude: ["loopback_server.py"]),
        .testTarget(name: "CastorWebSocketTests", dependencies: ["CastorWebSocket", "CastorSSL", "CastorTestSupport"], exclude: ["Peer"]),
        .testTarget(name: "GeminiProtocolTests", dependencies: ["GeminiProtocol", "CastorCore"]),
        .testTarget(
            name: "GeminiClientTests",
            dependencies: ["GeminiClient", "GeminiProtocol", "CastorHTTP", "CastorCore", "CastorTestSupport"],
            exclude: ["stub_gemini_server.py"]
        ),
        .testTarget(
            name: "GeminiSimTests",
            dependencies: [
                "GeminiSim", "GeminiProtocol", "CastorCore", "CastorWebSocket", "CastorHTTP", "CastorTestSupport",
                .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox"),
            ]
        ),
        .testTarget(name: "CastorLogTests", dependencies: ["CastorLog", "CastorTestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "CastorConfigTests", dependencies: ["CastorConfig", "CastorCore"]),
        // CastorConfig: the unit-file test checks TimeoutStopSec= against shutdown_timeout's bound.
        .testTarget(name: "CastorSystemdTests", dependencies: ["CastorSystemd", "CastorConfig", "CastorTestSupport"]),
        .testTarget(name: "CastorTradingTests", dependencies: ["CastorTrading", "CastorCore", "GeminiProtocol", "CastorFeeds", "CastorTestSupport"]),
        .testTarget(
            name: "CastorStrategiesTests",
            dependencies: ["CastorStrategies", "CastorStrategy", "CastorCore"],
            // The plug-in test loads a real plug-in into the test binary, which then needs the
            // same symbol export as the castor executable.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"], .when(platforms: [.linux]))]
        ),
        .testTarget(
            name: "CastorJournalTests",
            dependencies: ["CastorJournal", "CastorCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "CastorFeedsTests",
            dependencies: [
                "CastorFeeds", "GeminiSim", "GeminiProtocol", "CastorCore", "MarketData",
                "GeminiClient", "CastorHTTP", "CastorTrading", "CastorTestSupport",
            ]
        ),
        .testTarget(
            name: "CastorEngineTests",
            dependencies: [
                "CastorEngine", "GeminiSim", "CastorCore", "CastorStrategy", "CastorConfig", "CastorFeeds",
                "CastorTrading", "GeminiProtocol", "MarketData", "CastorJournal", "CastorTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The shell against a scripted engine (FakeEngine), and `castor run` end to end: the
        // latter spawns the built `castor` (found next to this test bundle).
        .testTarget(
            name: "CastorDaemonTests",
            dependencies: [
                "CastorDaemon", "CastorConfig", "CastorCore", "CastorSystemd", "CastorJournal", "CastorTestSupport",
                "CastorStatus", "CastorAlerts", "CastorRecord",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["webhook_sink.py"]
        ),
        // The metrics endpoint's HTTP server against Python's http.client and the reference
        // Prometheus parser (prometheus_client), and against malformed requests.
        .testTarget(
            name: "CastorMetricsTests",
            dependencies: ["CastorMetrics", "CastorCore", "CastorTestSupport", .product(name: "Prometheus", package: "swift-prometheus")],
            exclude: ["scrape_client.py"]
        ),
        .testTarget(
            name: "CastorEmbeddedSimTests",
            dependencies: ["CastorEmbeddedSim", "GeminiProtocol", "CastorTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        // The fill model on hand-made recordings, report identity, and `castor backtest` end to end
        // (spawns the built `castor` and `castor-bench`).
        .testTarget(
            name: "CastorBacktestTests",
            dependencies: [
                "CastorBacktest", "CastorConfig", "CastorCore", "CastorEngine", "CastorStrategy", "CastorTestSupport",
                "MarketData", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "MarketDataTests", dependencies: ["MarketData", "GeminiProtocol", "CastorCore"]),
        // Spawns the built `castor` (sim and run) and kills it with SIGKILL; see CrashConsistencyTests.
        .testTarget(name: "CastorCrashTests", dependencies: ["CastorJournal", "CastorCore", "CastorTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
