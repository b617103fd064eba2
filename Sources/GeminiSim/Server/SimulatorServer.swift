import FlyingFox
import FlyingSocks
import Foundation
import Synchronization

/// The local Gemini exchange on loopback: REST and the legacy WebSocket feeds over one
/// FlyingFox HTTP server, the new WebSocket API (`wss://ws.gemini.com`'s, at `/`) over a
/// second one on its own port, both in front of one `SimulatorCore`.
///
/// ```swift
/// let server = try SimulatorServer(config: config)
/// let endpoint = try await server.start()      // endpoint.port, endpoint.wsAPIPort
/// ...
/// await server.stop()
/// ```
/// Plain HTTP only, so it refuses non-loopback addresses. Routes added with `appendRoute`
/// before `start()` take precedence over the REST routes (the WebSocket feeds use this).
public actor SimulatorServer {
    /// Where a started server listens.
    public struct Endpoint: Sendable, Equatable {
        public let host: String
        public let port: UInt16
        /// Host and port of the new WebSocket API's server.
        public let wsAPIHost: String
        public let wsAPIPort: UInt16
        /// `http://127.0.0.1:PORT`: point REST clients here.
        public var restURL: String { "http://\(Self.hostForURL(host)):\(port)" }
        /// `ws://127.0.0.1:PORT`: point WebSocket clients here.
        public var webSocketURL: String { "ws://\(Self.hostForURL(host)):\(port)" }
        /// `ws://127.0.0.1:PORT` of the new WebSocket API (Gemini's `wss://ws.gemini.com`);
        /// connect to its root, optionally with `?snapshot=-1&cancelOnDisconnect=true`.
        public var wsAPIURL: String { "ws://\(Self.hostForURL(wsAPIHost)):\(wsAPIPort)" }

        static func hostForURL(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
    }

    /// The venue behind the server; usable directly (tests, the daemon's embedded venue).
    public nonisolated let core: SimulatorCore
    public nonisolated let config: SimulatorConfig
    /// The token `/sim/*` requests must carry in `X-Sim-Admin-Token` (`SimAdminToken`):
    /// `config.adminToken`, or drawn at random when the server is built.
    public nonisolated let adminToken: SimAdminToken
    private let log: SimLogSink
    private var extraRoutes: [(HTTPRoute, any HTTPHandler)] = []
    private var http: HTTPServer?
    private var serverTask: Task<Void, any Error>?
    private var wsAPIHTTP: HTTPServer?
    private var wsAPITask: Task<Void, any Error>?
    private var sweeper: Task<Void, Never>?
    private var marketLoop: Task<Void, Never>?
    private var endpoint: Endpoint?
    /// The WebSocket feeds (`/v1/order/events`, `/v2/marketdata`); its open connections
    /// include the new WebSocket API's, so its drop faults close those too.
    public nonisolated let feeds: WebSocketFeeds
    /// The new WebSocket API's shared state (subscriptions, update ids, rate windows).
    public nonisolated let wsAPI: WSAPIHub

    /// Validates `config` and builds the venue; nothing listens until `start()`.
    public init(config: SimulatorConfig, clock: any SimClock = SystemSimClock(),
                log: @escaping SimLogSink = { _ in }) throws(SimulatorServerError) {
        do { try config.validate() } catch { throw .invalidConfig(error) }
        self.config = config
        self.log = log
        adminToken = SimAdminToken(configured: config.adminToken)
        core = SimulatorCore(config: config, clock: clock, log: log)
        feeds = WebSocketFeeds(core: core, log: log)
        wsAPI = WSAPIHub(core: core, feeds: feeds, log: log)
    }

    /// Adds a route (e.g. `GET /v2/marketdata` for a WebSocket feed) ahead of REST.
    public func appendRoute(_ route: HTTPRoute, to handler: some HTTPHandler) {
        extraRoutes.append((route, handler))
    }

    /// The bound endpoint once started.
    public var listening: Endpoint? { endpoint }

    /// Binds both servers, starts serving and returns the bound endpoint (port 0 → the
    /// port chosen). If either cannot listen, neither runs.
    @discardableResult
    public func start() async throws(SimulatorServerError) -> Endpoint {
        guard http == nil else { throw .alreadyStarted }
        let (host, port): (String, UInt16)
        let (wsHost, wsPort): (String, UInt16)
        do {
            (host, port) = try config.listenAddress()
            (wsHost, wsPort) = try config.wsAPIListenAddress()
        } catch { throw .invalidConfig(error) }
        let address = try Self.loopbackAddress(host: host, port: port)
        let wsAddress = try Self.loopbackAddress(host: wsHost, port: wsPort)
        let server = HTTPServer(config: HTTPServer.Configuration(address: address, timeout: 300, logger: .disabled))
        for (route, handler) in extraRoutes { await server.appendRoute(route, to: handler) }
        await feeds.start()
        await wsAPI.start()
        for (route, handler) in feeds.routes() { await server.appendRoute(route, to: handler) }
        await server.appendRoute("*", to: SimulatorRouter(core: core, log: log, adminToken: adminToken))
        let wsServer = HTTPServer(config: HTTPServer.Configuration(address: wsAddress, timeout: 300, logger: .disabled))
        await wsServer.appendRoute("*", to: WSAPIEndpoint(hub: wsAPI))
        let rest: (task: Task<Void, any Error>, port: UInt16)
        do { rest = try await Self.launch(server, listen: config.listen) } catch {
            await wsAPI.stop()
            await feeds.stop()
            throw error
        }
        let ws: (task: Task<Void, any Error>, port: UInt16)
        do { ws = try await Self.launch(wsServer, listen: config.wsAPIListen) } catch {
            await server.stop(timeout: 0.2)
            rest.task.cancel()
            _ = await rest.task.result
            await wsAPI.stop()
            await feeds.stop()
            throw error
        }
        http = server
        serverTask = rest.task
        wsAPIHTTP = wsServer
        wsAPITask = ws.task
        let endpoint = Endpoint(host: host, port: rest.port, wsAPIHost: wsHost, wsAPIPort: ws.port)
        self.endpoint = endpoint
        sweeper = Task { [core] in await Self.sweepHeartbeats(core) }
        if config.syntheticMarket {
            marketLoop = Task { [core, config] in await Self.runMarket(core, every: config.marketStepMs) }
        }
        log(SimLogRecord(level: .info, event: "sim.listening",
                         fields: [("rest", endpoint.restURL), ("ws", endpoint.webSocketURL), ("ws_api", endpoint.wsAPIURL)]))
        return endpoint
    }

    /// Runs `server` until it listens; returns its task and bound port, or why it failed
    /// (the task is then ended).
    private static func launch(_ server: HTTPServer, listen: String) async throws(SimulatorServerError)
        -> (task: Task<Void, any Error>, port: UInt16) {
        let failure = RunFailure()
        let task = Task {
            do { try await server.run() } catch {
                failure.error.withLock { $0 = error }
                throw error
            }
        }
        do {
            try await Self.waitUntilListening(server, or: failure)
        } catch {
            task.cancel()
            throw .bindFailed(address: listen, reason: "\(error)")
        }
        switch await server.listeningAddress {
        case .ip4(_, let port)?, .ip6(_, let port)?:
            return (task, port)
        default:
            await server.stop(timeout: 0.2)
            task.cancel()
            throw .bindFailed(address: listen, reason: "no listening address after start")
        }
    }

    /// Stops accepting on both servers, closes connections (1 s grace) and ends background work.
    public func stop() async {
        sweeper?.cancel()
        sweeper = nil
        marketLoop?.cancel()
        marketLoop = nil
        await feeds.stop()
        await wsAPI.stop()
        if let http { await http.stop(timeout: 0.2) }
        if let wsAPIHTTP { await wsAPIHTTP.stop(timeout: 0.2) }
        serverTask?.cancel()
        wsAPITask?.cancel()
        _ = await serverTask?.result
        _ = await wsAPITask?.result
        http = nil
        serverTask = nil
        wsAPIHTTP = nil
        wsAPITask = nil
        if endpoint != nil { log(SimLogRecord(level: .info, event: "sim.stopped")) }
        endpoint = nil
    }

    /// Cancels the orders of silent require-heartbeat sessions, checking at least every second
    /// of (injected) time and exactly at the next expiry.
    /// Steps the synthetic market on the injected clock.
    private static func runMarket(_ core: SimulatorCore, every interval: Int64) async {
        while !Task.isCancelled {
            let next = core.clock.nowMilliseconds() + max(1, interval)
            do { try await core.clock.sleep(untilMilliseconds: next) } catch { return }
            await core.stepMarket()
        }
    }

    private static func sweepHeartbeats(_ core: SimulatorCore) async {
        while !Task.isCancelled {
            let now = core.clock.nowMilliseconds()
            let deadline = min(await core.nextHeartbeatDeadline() ?? Int64.max, now + 1_000)
            do { try await core.clock.sleep(untilMilliseconds: deadline) } catch { return }
            await core.expireHeartbeats()
        }
    }

    /// Waits until `server` listens, or fails with the error `run()` ended with (e.g. the
    /// address is in use). Polls: FlyingFox offers no "listening or failed" signal.
    private static func waitUntilListening(_ server: HTTPServer, or failure: RunFailure) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if await server.isListening { return }
            if let error = failure.error.withLock({ $0 }) { throw error }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw SocketError.disconnected
    }

    /// Where the server task leaves the error `run()` threw.
    final class RunFailure: Sendable {
        let error = Mutex<(any Error)?>(nil)
    }

    /// The socket address for a loopback host; anything else is refused.
    static func loopbackAddress(host: String, port: UInt16) throws(SimulatorServerError) -> any SocketAddress {
        let name = host == "localhost" ? "127.0.0.1" : host
        if name == "::1" {
            do { return try sockaddr_in6.inet6(ip6: name, port: port) } catch { throw .bindFailed(address: host, reason: "\(error)") }
        }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }), octets.first == "127" else {
            throw .nonLoopbackAddress(host)
        }
        do { return try sockaddr_in.inet(ip4: name, port: port) } catch { throw .bindFailed(address: host, reason: "\(error)") }
    }
}
