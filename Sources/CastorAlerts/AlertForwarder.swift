import CastorCore
import CastorHTTP
import Dispatch
import Logging

/// Posts the alerting log events (`AlertPolicy`) to `[alerts] webhook_url` as a small JSON
/// object, through libcurl (TLS verified; plain http only to loopback).
///
/// It sees every log line's event through `observe` (the log handlers' tap), on whatever
/// thread logged it, and hands the work to a queue of its own: a slow or dead webhook never
/// delays trading or logging. At most `maximumPending` posts wait; beyond that alerts are
/// dropped and counted. Its own failures are logged as `alerts.send_failed`, which is not an
/// alerting event, so it never feeds itself.
public final class AlertForwarder: @unchecked Sendable {
    private let url: String
    private let queue = DispatchQueue(label: "castor.alerts")
    private let http: HTTPClient
    private let instance: String
    private let nowMs: @Sendable () -> Int64
    private let logger = Logger(label: "alerts")
    // Confined to `queue`.
    private var policy = AlertPolicy()
    private var pending = 0
    /// Alerts dropped because too many posts were waiting.
    public private(set) var dropped = 0
    public static let maximumPending = 32

    /// - Parameter instance: who is alerting (e.g. the host name and venue), in every post.
    public init(url: String, instance: String, nowMs: @escaping @Sendable () -> Int64 = EngineClock.systemWallMs) throws(HTTPError) {
        self.url = url
        self.instance = instance
        self.nowMs = nowMs
        var options = HTTPClient.Options()
        options.requestTimeout = .seconds(10)
        http = try HTTPClient(options: options)
    }

    /// The log handlers' tap: one event, its level, message and fields.
    public func observe(level: Logger.Level, message: String, event: String, metadata: Logger.Metadata) {
        // Cheap test on the logging thread; everything else on the queue.
        guard AlertPolicy.alerting.contains(event) || event == "feeds.reconnecting" else { return }
        let at = nowMs()
        queue.async { [self] in
            guard let alert = policy.alert(for: event, nowMs: at) else { return }
            send(Self.body(alert: alert, level: level, message: message, metadata: metadata, instance: instance, atMs: at))
        }
    }

    /// `{"alert":"…","level":"…","message":"…","instance":"…","time_ms":…,"fields":{…}}`.
    static func body(alert: String, level: Logger.Level, message: String, metadata: Logger.Metadata, instance: String,
                     atMs: Int64) -> String {
        var out = "{\"alert\":"
        JSONString.append(alert, to: &out)
        out += ",\"level\":"
        JSONString.append(level.rawValue, to: &out)
        out += ",\"message\":"
        JSONString.append(message, to: &out)
        out += ",\"instance\":"
        JSONString.append(instance, to: &out)
        out += ",\"time_ms\":\(atMs),\"fields\":{"
        var first = true
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            if !first { out += "," }
            first = false
            JSONString.append(key, to: &out)
            out += ":"
            JSONString.append("\(value)", to: &out)
        }
        return out + "}}"
    }

    private func send(_ body: String) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard pending < Self.maximumPending else {
            dropped += 1
            return
        }
        pending += 1
        let request = HTTPRequest(method: .post, url: url, headers: [(name: "Content-Type", value: "application/json")],
                                  body: Array(body.utf8), isIdempotent: false)
        http.execute(request, on: queue) { [self] result in
            pending -= 1
            switch result {
            case .success(let response) where (200..<300).contains(response.status): break
            case .success(let response):
                logger.warning("alert webhook answered \(response.status)",
                               metadata: ["event": "alerts.send_failed", "reason": "http_\(response.status)"])
            case .failure(let error):
                logger.warning("alert webhook unreachable", metadata: ["event": "alerts.send_failed", "reason": "transport",
                                                                      "detail": "\(error)"])
            }
        }
    }
}
