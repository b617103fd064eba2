import Dispatch
import Synchronization

/// A keep-alive HTTP/1.1 and HTTP/2 client on libcurl's multi interface, driven by
/// Dispatch.
///
/// One multi handle on one serial queue: connections are pooled per host and
/// reused (one TCP + TLS handshake, then keep-alive or HTTP/2 streams). `execute` never
/// blocks its caller: it hands the request to the private queue and returns; the
/// completion runs on the queue the caller names.
///
/// Transport policy: TLS peer and host verification always on; `http://` only to
/// loopback; redirects are not followed (a 30x is returned as a response); proxies
/// only when configured (the `*_proxy` environment variables are ignored).
public final class HTTPClient: Sendable {
    /// Client-wide settings.
    public struct Options: Sendable {
        /// Default deadline for a whole request; `HTTPRequest.timeout` overrides it.
        public var requestTimeout: Duration = .seconds(10)
        /// Default deadline for TCP + TLS connection set-up.
        public var connectTimeout: Duration = .seconds(5)
        /// A PEM file of extra trusted CAs (test or private deployments). It is trusted
        /// in addition to the system store as long as `systemCAPath` is set (libcurl's
        /// CURLOPT_CAINFO replaces the system bundle file, but OpenSSL also searches the
        /// hashed CA directory).
        public var additionalCAFile: String?
        /// The system's hashed CA directory (Debian: /etc/ssl/certs); nil = libcurl default.
        public var systemCAPath: String? = "/etc/ssl/certs"
        /// Proxy URL; nil means no proxy at all, whatever the environment says.
        public var proxy: String?
        /// Idle connections older than this are not reused but closed. Keep it below the
        /// server's keep-alive timeout: reusing a connection the server is closing makes
        /// non-idempotent requests fail with "may have been sent".
        public var maxIdleConnectionAge: Duration = .seconds(50)
        /// 0 = no limit. Requests beyond it wait for a free connection.
        public var maxConnectionsPerHost: Int = 0
        /// Larger bodies fail with `HTTPError.responseTooLarge`.
        public var maxResponseBytes: Int = 16 << 20
        public var userAgent: String? = "castor"

        public init() {}
    }

    private let driver: CurlMultiDriver
    private let options: Options
    private let nextID = Atomic<UInt64>(1)

    /// Creates the multi handle; fails only if libcurl cannot initialise.
    ///
    /// - Parameter queue: the serial queue libcurl runs on; nil = a private one. A caller
    ///   whose own state lives on a serial queue (the engine) passes that queue: its
    ///   requests then reach the socket inside the caller's work item, with no thread
    ///   hand-off, at the price of libcurl's work (TLS handshakes included) running there.
    ///   Everything libcurl does is non-blocking, so the queue is never parked.
    public init(options: Options = Options(), queue: DispatchQueue? = nil) throws(HTTPError) {
        self.options = options
        driver = try CurlMultiDriver(
            queue: queue ?? DispatchQueue(label: "castor.http"), maxConnectionsPerHost: options.maxConnectionsPerHost)
    }

    deinit {
        let driver = driver
        driver.queue.async { driver.close() }
    }

    /// The client's serial queue (libcurl's). A caller that confines its own state
    /// to it (one ordered sender per key) can start requests with `executeOnQueue` without
    /// another queue hop.
    public var queue: DispatchQueue { driver.queue }

    /// Like `execute`, but must be called on `queue`: the transfer is added and libcurl
    /// kicked before this returns, so the request is on the wire with no extra hop.
    @discardableResult
    public func executeOnQueue(
        _ request: HTTPRequest,
        on queue: DispatchQueue,
        completion: @escaping @Sendable (Result<HTTPResponse, HTTPError>) -> Void
    ) -> HTTPTask {
        dispatchPrecondition(condition: .onQueue(driver.queue))
        let id = nextID.add(1, ordering: .relaxed).oldValue
        HTTPClient.start(id: id, request, driver: driver, options: options, on: queue, completion: completion)
        return HTTPTask(id: id, driver: driver)
    }

    private static func start(
        id: UInt64, _ request: HTTPRequest, driver: CurlMultiDriver, options: Options, on queue: DispatchQueue,
        completion: @escaping @Sendable (Result<HTTPResponse, HTTPError>) -> Void
    ) {
        let transfer: Transfer
        do throws(HTTPError) {
            transfer = try Transfer(
                id: id, request: request, options: options, closeSocketData: driver.closeSocketData,
                completionQueue: queue, reusing: driver.takeIdleHandle(), completion: completion)
        } catch {
            queue.async { completion(.failure(error)) }
            return
        }
        driver.start(transfer)
    }

    /// Sends `request`; `completion` runs exactly once on `queue` with the response (any
    /// status) or the reason there is none. Invalid or policy-violating requests fail
    /// without any network activity.
    @discardableResult
    public func execute(
        _ request: HTTPRequest,
        on queue: DispatchQueue,
        completion: @escaping @Sendable (Result<HTTPResponse, HTTPError>) -> Void
    ) -> HTTPTask {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        let driver = driver, options = options
        driver.queue.async {
            HTTPClient.start(id: id, request, driver: driver, options: options, on: queue, completion: completion)
        }
        return HTTPTask(id: id, driver: driver)
    }
}

/// Handle on one request in flight.
public final class HTTPTask: Sendable {
    private let id: UInt64
    private let driver: CurlMultiDriver

    init(id: UInt64, driver: CurlMultiDriver) {
        self.id = id
        self.driver = driver
    }

    /// Stops the request if it is still running; its completion then receives
    /// `.cancelled` (with whether the request may already have been sent). No effect
    /// once the completion has been scheduled.
    public func cancel() {
        let id = id, driver = driver
        driver.queue.async { driver.cancel(id: id) }
    }
}
