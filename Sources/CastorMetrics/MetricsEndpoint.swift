import CastorCore
import CoreMetrics
import Dispatch
import Prometheus
import Synchronization

/// The daemon's Prometheus endpoint: `GET /metrics` (text exposition format 0.0.4) and
/// `GET /healthz` (200 with a small JSON while healthy, 503 with the reason otherwise), on
/// the address `[metrics] listen` names, served by `MetricsHTTPServer` (Dispatch, no
/// Foundation networking). `HEAD` is answered as `GET` without the body; other methods on
/// these paths 405, other paths 404.
///
/// The registry backs the swift-metrics factory the engine's instruments are made from, so
/// recording is swift-metrics' (atomic updates, no allocation) and only a scrape formats.
public final class MetricsEndpoint: Sendable {
    /// What `/healthz` answers: healthy or not, and a short JSON object.
    public struct Health: Sendable {
        public let healthy: Bool
        public let json: String
        public init(healthy: Bool, json: String) {
            self.healthy = healthy
            self.json = json
        }
    }

    /// Asks for the health and hands it to the callback (from any thread).
    public typealias HealthSource = @Sendable (_ answer: @escaping @Sendable (Health) -> Void) -> Void

    public let registry: PrometheusCollectorRegistry
    /// Hand this to the engine (`Engine(metrics:)`).
    public let factory: PrometheusMetricsFactory
    private let server = Mutex<MetricsHTTPServer?>(nil)
    private let clock: EngineClock
    private let requestTimeoutMs: Int64

    /// - Parameters:
    ///   - clock: the request timeout's clock (tests pass a `ManualClock`'s).
    ///   - requestTimeoutMs: how long a connection may take to send its request.
    public init(clock: EngineClock = .system, requestTimeoutMs: Int64 = 10_000) {
        self.clock = clock
        self.requestTimeoutMs = requestTimeoutMs
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Seconds, the Prometheus convention, with buckets around tick-to-order figures.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
            .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(250), .seconds(1),
        ]
        self.factory = factory
    }

    /// `castor_build_info{version="…"} 1`.
    public func recordBuildInfo(version: String) {
        registry.makeGauge(name: "castor_build_info", labels: [("version", version)]).set(Double(1))
    }

    /// The exposition text, as a scrape gets it.
    public func exposition() -> String { registry.emitToString() }

    /// Binds `host:port` (an IP literal or `localhost`) and serves until `stop`; returns the
    /// bound port (port 0 picks one). Not on the endpoint's own queue (it waits for it).
    public func start(host: String, port: UInt16, health: @escaping HealthSource) throws(MetricsServerError) -> UInt16 {
        let registry = registry
        let server = MetricsHTTPServer(requestTimeoutMs: requestTimeoutMs, clock: clock) { request, answer in
            Self.answer(request, registry: registry, health: health, answer: answer)
        }
        let previous = self.server.withLock { current in
            defer { current = server }
            return current
        }
        previous?.stop()
        return try server.start(host: host, port: port)
    }

    private static func answer(_ request: MetricsRequestHead, registry: PrometheusCollectorRegistry, health: HealthSource,
                               answer: @escaping @Sendable (MetricsHTTPServer.Response) -> Void) {
        guard request.path == "/metrics" || request.path == "/healthz" else {
            return answer(.init(status: .notFound, text: "try /metrics or /healthz\n"))
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return answer(.init(status: .methodNotAllowed, body: Array("only GET and HEAD\n".utf8), headers: ["Allow: GET, HEAD"]))
        }
        if request.path == "/metrics" {
            var body: [UInt8] = []
            registry.emit(into: &body)
            return answer(.init(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: body))
        }
        health { status in
            answer(.init(status: status.healthy ? .ok : .serviceUnavailable, contentType: "application/json",
                         body: Array(status.json.utf8)))
        }
    }

    /// Stops listening and closes open connections; `completion` runs once they are closed.
    public func stop(completion: (@Sendable () -> Void)? = nil) {
        let server = server.withLock { current in
            defer { current = nil }
            return current
        }
        guard let server else {
            completion?()
            return
        }
        server.stop(completion: completion)
    }
}
