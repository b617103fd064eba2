import CastorCore
import CastorHTTP
import CastorTestSupport
import Dispatch
import Foundation
import GeminiClient
import GeminiProtocol
import Testing

/// stub_gemini_server.py run as a subprocess for one test, plus a client wired to it.
///
/// An independent peer on purpose: signatures, paths and nonce order are checked by
/// Python's hmac/hashlib/base64, not by the code under test.
final class StubGemini {
    static let apiKey = "account-TESTKEY00000000000"
    static let secret = "TESTSECRETdoNotUse1234567890ab"

    /// Every sender in these tests runs on this serial queue (as the daemon's runs on the
    /// engine queue): private calls must be made on it, one at a time; `call` does that.
    static let keyQueue = DispatchQueue(label: "test.key")

    let port: Int
    let venue: GeminiVenue
    let http: HTTPClient
    private let peer: PythonPeer

    /// Async: waiting for the stub to print its port holds no cooperative-pool thread.
    init() async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("stub_gemini_server.py").path
        peer = try await PythonPeer(script: script, arguments: ["--key", Self.apiKey, "--secret", Self.secret],
                              purpose: "GeminiClientTests need it for the stub Gemini server (stub_gemini_server.py)")
        port = peer.port
        venue = try GeminiVenue.custom(baseURL: "http://127.0.0.1:\(port)")
        http = try HTTPClient(queue: Self.keyQueue)
    }

    /// A fresh key-owning client: its own nonce source and sender.
    func client(requestTimeout: Duration? = .seconds(10), account: String? = nil) throws -> GeminiRESTClient {
        let credentials = try APICredentials(key: Self.apiKey, secret: Self.secret)
        let nonces = try NonceSource()
        let sender = PrivateRequestSender(
            http: http, venue: venue, signer: GeminiSigner(credentials: credentials), nonces: nonces,
            requestTimeout: requestTimeout)
        return GeminiRESTClient(venue: venue, http: http, sender: sender, account: account)
    }

    /// Queues faults for the next matching private requests (see the script's docstring).
    func inject(_ faults: [[String: Any]]) throws {
        let body = try JSONSerialization.data(withJSONObject: faults)
        let request = HTTPRequest(method: .post, url: venue.restURL(path: "/_control/faults"), body: Array(body))
        let response = try control(request)
        guard response.status == 200 else { throw PythonPeer.StartFailure(description: "fault injection failed: \(response.status)") }
    }

    /// `inject` from a test body: waits for the stub without holding a cooperative-pool thread.
    func inject(_ faults: [[String: Any]]) async throws {
        let body = try JSONSerialization.data(withJSONObject: faults)
        let request = HTTPRequest(method: .post, url: venue.restURL(path: "/_control/faults"), body: Array(body))
        let response = try await control(request)
        guard response.status == 200 else { throw PythonPeer.StartFailure(description: "fault injection failed: \(response.status)") }
    }

    /// `log` from a test body: waits for the stub without holding a cooperative-pool thread.
    func log() async throws -> ServerLog {
        let response = try await control(HTTPRequest(method: .get, url: venue.restURL(path: "/_control/log")))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        return try ServerLog(object)
    }

    /// What the server saw so far (blocking: for completion handlers on Dispatch queues;
    /// test bodies use the async overload).
    func log() throws -> ServerLog {
        let response = try control(HTTPRequest(method: .get, url: venue.restURL(path: "/_control/log")))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        return try ServerLog(object)
    }

    private func control(_ request: HTTPRequest) async throws -> HTTPResponse {
        let box = Box<Result<HTTPResponse, HTTPError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        http.execute(request, on: DispatchQueue(label: "stub.control")) { result in
            box.value = result
            done.signal()
        }
        guard await done.wait(seconds: 20), let result = box.value else {
            throw PythonPeer.StartFailure(description: "no answer from the stub's control endpoint \(request.url)")
        }
        return try result.get()
    }

    private func control(_ request: HTTPRequest) throws -> HTTPResponse {
        let box = Box<Result<HTTPResponse, HTTPError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        http.execute(request, on: DispatchQueue(label: "stub.control")) { result in
            box.value = result
            done.signal()
        }
        guard done.wait(timeout: .now() + 20) == .success, let result = box.value else {
            throw PythonPeer.StartFailure(description: "no answer from the stub's control endpoint \(request.url)")
        }
        return try result.get()
    }
}

/// The stub's record: private requests in arrival order, public GETs, rule violations.
struct ServerLog {
    struct Private {
        let path: String
        let nonce: ExactDecimal
        let payload: [String: Any]
        let accepted: Bool
        let fault: String?
    }

    let privateRequests: [Private]
    let publicRequests: [(path: String, query: String)]
    let violations: [String]
    let maxInFlight: Int

    init(_ object: [String: Any]) throws {
        let entries = try #require(object["private"] as? [[String: Any]])
        privateRequests = try entries.map { entry in
            guard let path = entry["path"] as? String, let nonceText = entry["nonce"] as? String,
                  let nonce = ExactDecimal(nonceText), let payload = entry["payload"] as? [String: Any],
                  let accepted = entry["accepted"] as? Bool else {
                throw WaitExpired(description: "malformed log entry from the stub: \(entry)")
            }
            return Private(path: path, nonce: nonce, payload: payload, accepted: accepted, fault: entry["fault"] as? String)
        }
        let publics = try #require(object["public"] as? [[String: Any]])
        publicRequests = publics.map { ($0["path"] as? String ?? "", $0["query"] as? String ?? "") }
        let violationEntries = try #require(object["violations"] as? [[String: Any]])
        violations = violationEntries.map { "\($0["path"] ?? "?"): \($0["reason"] ?? "?") \($0["message"] ?? "")" }
        maxInFlight = try #require(object["max_in_flight"] as? Int)
    }

    var paths: [String] { privateRequests.map(\.path) }
}

/// A value handed between threads under a lock.
final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    /// Read-modify-write under one lock acquisition.
    func withValue(_ body: (inout T) -> Void) {
        lock.withLock { body(&stored) }
    }
}

struct WaitExpired: Error, CustomStringConvertible {
    let description: String
}

/// Starts one client call on `StubGemini.keyQueue` (where the senders run) and waits for
/// its completion (off the cooperative pool), failing at a deadline.
func call<T: Sendable>(
    deadline seconds: Double = 20,
    _ start: @escaping @Sendable (DispatchQueue, @escaping @Sendable (Result<T, GeminiClientError>) -> Void) -> Void
) async throws -> Result<T, GeminiClientError> {
    let box = Box<Result<T, GeminiClientError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    let completionQueue = DispatchQueue(label: "test.completion")
    StubGemini.keyQueue.async {
        start(completionQueue) { result in
            box.value = result
            done.signal()
        }
    }
    guard await done.wait(seconds: seconds), let result = box.value else {
        throw WaitExpired(description: "no completion within \(seconds) s")
    }
    return result
}

/// The value, or a test failure naming the error.
func success<T>(_ result: Result<T, GeminiClientError>, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    switch result {
    case .success(let value): return value
    case .failure(let error):
        Issue.record("expected success, got \(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// The error, or a test failure.
func failure<T>(_ result: Result<T, GeminiClientError>, sourceLocation: SourceLocation = #_sourceLocation) throws -> GeminiClientError {
    switch result {
    case .failure(let error): return error
    case .success(let value):
        Issue.record("expected an error, got \(value)", sourceLocation: sourceLocation)
        throw WaitExpired(description: "unexpected success")
    }
}

/// Exact decimal from a literal known to be valid.
func dec(_ text: String) -> ExactDecimal { ExactDecimal(text)! }
