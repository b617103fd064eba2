import Dispatch
import Foundation
import Glibc
import CastorTestSupport
import Testing
@testable import CastorHTTP

struct WaitExpired: Error, CustomStringConvertible {
    let description: String
}

/// Runs one request and waits for its completion (off the cooperative pool), failing the
/// test at a deadline.
func perform(
    _ client: HTTPClient, _ request: HTTPRequest, deadline seconds: Double = 20
) async throws -> Result<HTTPResponse, HTTPError> {
    let box = LockedBox<Result<HTTPResponse, HTTPError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    client.execute(request, on: DispatchQueue(label: "test.completion")) { result in
        box.value = result
        done.signal()
    }
    guard await done.wait(seconds: seconds), let result = box.value else {
        throw WaitExpired(description: "no completion within \(seconds) s for \(request.method.rawValue) \(request.url)")
    }
    return result
}

/// The response, or a test failure naming the error.
func expectResponse(_ result: Result<HTTPResponse, HTTPError>, sourceLocation: SourceLocation = #_sourceLocation) throws -> HTTPResponse {
    switch result {
    case .success(let response): return response
    case .failure(let error):
        Issue.record("expected a response, got \(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// The error, or a test failure naming the unexpected response.
func expectError(_ result: Result<HTTPResponse, HTTPError>, sourceLocation: SourceLocation = #_sourceLocation) throws -> HTTPError {
    switch result {
    case .failure(let error): return error
    case .success(let response):
        Issue.record("expected an error, got status \(response.status)", sourceLocation: sourceLocation)
        throw WaitExpired(description: "unexpected response")
    }
}

func json(_ response: HTTPResponse) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(response.body))
    return try #require(object as? [String: Any])
}

/// The echoed request headers, names lower-cased.
func echoedHeaders(_ response: HTTPResponse) throws -> [String: String] {
    let pairs = try #require(try json(response)["headers"] as? [[String]])
    var result: [String: String] = [:]
    for pair in pairs where pair.count == 2 { result[pair[0].lowercased()] = pair[1] }
    return result
}

/// A loopback port bound but not listening: connecting to it is refused, and nobody
/// else can take it while the returned descriptor stays open. With `listening`, the
/// kernel completes TCP handshakes but nobody ever reads or answers.
func refusedPort(listening: Bool = false) throws -> (port: Int, fd: Int32) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw WaitExpired(description: "socket() failed: \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound, !listening || listen(fd, 8) == 0 else {
        close(fd)
        throw WaitExpired(description: "bind() failed: \(errno)")
    }
    return (Int(UInt16(bigEndian: address.sin_port)), fd)
}
