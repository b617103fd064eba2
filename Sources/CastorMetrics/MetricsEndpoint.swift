import CoreMetrics
import FlyingFox
import FlyingSocks
import Foundation
import Prometheus
import Synchronization

/// The daemon's Prometheus endpoint: `GET /metrics` (text exposition format 0.0.4) and
/// `GET /healthz` (200 with a small JSON while healthy, 503 with the reason otherwise), on
/// the address `[metrics] listen` names.
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

    public let registry: PrometheusCollectorRegistry
    /// Hand this to the engine (`Engine(metrics:)`).
    public let factory: PrometheusMetricsFactory
    private let state = Mutex<(server: HTTPServer?, task: Task<Void, any Error>?)>((nil, nil))

    public init() {
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

    /// Binds `host:port` and serves until `stop`; returns the bound port (port 0 picks one).
    public func start(host: String, port: UInt16, health: @escaping @Sendable () async -> Health) async throws -> UInt16 {
        let address: any SocketAddress = host.contains(":") ? try sockaddr_in6.inet6(ip6: host, port: port)
                                                           : try sockaddr_in.inet(ip4: host == "localhost" ? "127.0.0.1" : host, port: port)
        let server = HTTPServer(config: HTTPServer.Configuration(address: address, timeout: 15, logger: .disabled))
        let registry = registry
        await server.appendRoute("GET /metrics") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                         body: Data(registry.emitToString().utf8))
        }
        await server.appendRoute("GET /healthz") { _ in
            let h = await health()
            return HTTPResponse(statusCode: h.healthy ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                                body: Data(h.json.utf8))
        }
        await server.appendRoute("*") { _ in HTTPResponse(statusCode: .notFound, body: Data("try /metrics or /healthz\n".utf8)) }
        let failed = Mutex<(any Error)?>(nil)
        let task = Task {
            do { try await server.run() } catch {
                failed.withLock { $0 = error }
                throw error
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while !(await server.isListening) {
            if let error = failed.withLock({ $0 }) { throw error }
            guard ContinuousClock.now < deadline else {
                task.cancel()
                throw SocketError.disconnected
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        state.withLock { $0 = (server, task) }
        switch await server.listeningAddress {
        case .ip4(_, let bound)?: return bound
        case .ip6(_, let bound)?: return bound
        default: return port
        }
    }

    public func stop() async {
        let (server, task) = state.withLock { s in
            defer { s = (nil, nil) }
            return s
        }
        if let server { await server.stop(timeout: 0.2) }
        task?.cancel()
        _ = await task?.result
    }
}
