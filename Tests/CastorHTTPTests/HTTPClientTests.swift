import CastorTestSupport
import Dispatch
import Foundation
import Glibc
import Testing
@testable import CastorHTTP

/// HTTP/1.1 behaviour against the independent Python peer over loopback.
@Suite(.timeLimit(.minutes(2)), .tags(.slow)) struct HTTPClientTests {
    @Test func getCarriesCustomHeadersToTheServer() async throws {
        let server = try await LoopbackServer()
        let client = try HTTPClient()
        let request = HTTPRequest(method: .get, url: server.url("/echo?x=1"),
                                  headers: [("X-Test", "abc"), ("Cache-Control", "no-cache")])
        let response = try expectResponse(try await perform(client, request))
        #expect(response.status == 200)
        #expect(response.headers["content-TYPE"] == "application/json")
        #expect(response.metrics.httpVersion == "1.1")
        #expect(try json(response)["method"] as? String == "GET")
        #expect(try json(response)["path"] as? String == "/echo?x=1")
        let headers = try echoedHeaders(response)
        #expect(headers["x-test"] == "abc")
        #expect(headers["cache-control"] == "no-cache")
    }

    @Test func postCarriesBodyAndHeaders() async throws {
        let server = try await LoopbackServer()
        let client = try HTTPClient()
        let request = HTTPRequest(method: .post, url: server.url("/echo"),
                                  headers: [("Content-Type", "text/plain"), ("X-GEMINI-PAYLOAD", "eyJhIjoxfQ==")],
                                  body: Array("hello, gemini".utf8))
        let response = try expectResponse(try await perform(client, request))
        #expect(try json(response)["method"] as? String == "POST")
        #expect(try json(response)["body"] as? String == "hello, gemini")
        let headers = try echoedHeaders(response)
        #expect(headers["content-length"] == "13")
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["x-gemini-payload"] == "eyJhIjoxfQ==")
        #expect(headers["expect"] == nil)
    }

    @Test func emptyPostSendsContentLengthZero() async throws {
        let server = try await LoopbackServer()
        let client = try HTTPClient()
        let request = HTTPRequest(method: .post, url: server.url("/echo"), headers: [("Content-Length", "99")])
        let response = try expectResponse(try await perform(client, request))
        let headers = try echoedHeaders(response)
        #expect(try json(response)["method"] as? String == "POST")
        #expect(headers["content-length"] == "0")
        #expect(headers["content-type"] == nil, "libcurl's implicit form content type must be suppressed")
    }

    @Test func deleteIsSentAsDelete() async throws {
        let server = try await LoopbackServer()
        let client = try HTTPClient()
        let response = try expectResponse(try await perform(client, HTTPRequest(method: .delete, url: server.url("/echo"))))
        #expect(try json(response)["method"] as? String == "DELETE")
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try await LoopbackServer()
        let client = try HTTPClient()
        for index in 0..<10 {
            let method: HTTPRequest.Method = index % 2 == 0 ? .get : .post
            let response = try expectResponse(try await perform(client, HTTPRequest(method: method, url: server.url("/echo"))))
            #expect(response.status == 200)
            #expect(response.metrics.connectionReused == (index > 0))
        }
        let count = try expectResponse(try await perform(client, HTTPRequest(method: .get, url: server.url("/connections"))))
        #expect(try json(count)["count"] as? Int == 1)
    }

    /// Easy handles are reused one request after another: nothing of a request (method,
    /// body, headers, timeout) may carry over to the next one on the same handle.
    @Test func reusedHandlesCarryNothingOverBetweenRequests() async throws {
        let server = try await LoopbackServer()
        let client = try HTTPClient()
        struct Case { let method: HTTPRequest.Method; let headers: [(String, String)]; let body: String }
        let cases = [
            Case(method: .post, headers: [("X-One", "1")], body: "first body"),
            Case(method: .get, headers: [], body: ""),
            Case(method: .delete, headers: [("X-Three", "3")], body: ""),
            Case(method: .post, headers: [], body: ""),
            Case(method: .delete, headers: [], body: "delete body"),
            Case(method: .get, headers: [("X-Six", "6")], body: ""),
            Case(method: .post, headers: [("X-Seven", "7")], body: "seventh"),
        ]
        for round in 0..<2 {
            for (index, c) in cases.enumerated() {
                let request = HTTPRequest(method: c.method, url: server.url("/echo?n=\(index)"), headers: c.headers,
                                          body: Array(c.body.utf8))
                let response = try expectResponse(try await perform(client, request))
                let echoed = try json(response)
                let headers = try echoedHeaders(response)
                let label = "round \(round) request \(index)"
                #expect(echoed["method"] as? String == c.method.rawValue, "\(label)")
                #expect(echoed["path"] as? String == "/echo?n=\(index)", "\(label)")
                #expect((echoed["body"] as? String ?? "") == c.body, "\(label)")
                let custom = Set(headers.keys.filter { $0.hasPrefix("x-") })
                #expect(custom == Set(c.headers.map { $0.0.lowercased() }), "\(label): headers \(custom)")
                if c.method == .get { #expect(headers["content-length"] == nil, "\(label)") }
            }
        }
    }

    @Test func concurrentRequestsAllComplete() async throws {
        let server = try await LoopbackServer()
        let client = try HTTPClient()
        let statuses = LockedBox<[Int]>([])
        let group = DispatchGroup()
        let queue = DispatchQueue(label: "test.concurrent")
        for index in 0..<20 {
            group.enter()
            client.execute(HTTPRequest(method: .get, url: server.url("/delay?ms=\(20 + index)")), on: queue) { result in
                statuses.value.append((try? result.get().status) ?? -1)
                group.leave()
            }
        }
        guard await group.wait(seconds: 30) else {
            Issue.record("concurrent requests did not all complete in 30 s")
            return
        }
        #expect(statuses.value.count == 20)
        #expect(statuses.value.allSatisfy { $0 == 200 })
    }

    @Test(arguments: [(429, "RateLimit"), (400, "InvalidNonce"), (404, "OrderNotFound"), (503, "Maintenance"), (302, "Moved")])
    func nonSuccessStatusesAreResponses(code: Int, reason: String) async throws {
        let server = try await LoopbackServer()
        let client = try HTTPClient()
        let request = HTTPRequest(method: .post, url: server.url("/status?code=\(code)&reason=\(reason)"))
        let response = try expectResponse(try await perform(client, request))
        #expect(response.status == code)
        #expect(try json(response)["result"] as? String == "error")
        #expect(try json(response)["reason"] as? String == reason)
    }

    @Test func timeoutAfterTheRequestWentOutMayHaveBeenSent() async throws {
        let server = try await LoopbackServer()
        let client = try HTTPClient()
        let request = HTTPRequest(method: .post, url: server.url("/delay?ms=3000"), timeout: .milliseconds(300))
        let error = try expectError(try await perform(client, request))
        guard case .timedOut(requestMayHaveBeenSent: true, _) = error else {
            Issue.record("expected timedOut with the request sent, got \(error)")
            return
        }
        #expect(error.requestMayHaveBeenSent)
    }

    @Test func refusedConnectionWasNotSent() async throws {
        let (port, fd) = try refusedPort()
        defer { close(fd) }
        let client = try HTTPClient()
        let error = try expectError(try await perform(client, HTTPRequest(method: .post, url: "http://127.0.0.1:\(port)/x")))
        guard case .connectFailed = error else {
            Issue.record("expected connectFailed, got \(error)")
            return
        }
        #expect(!error.requestMayHaveBeenSent)
    }

    @Test func serverClosingWithoutAnswerIsConnectionLostAfterSend() async throws {
        let server = try await LoopbackServer()
        let client = try HTTPClient()
        let error = try expectError(try await perform(client, HTTPRequest(method: .post, url: server.url("/close"))))
        guard case .connectionLost(requestMayHaveBeenSent: true, _) = error else {
            Issue.record("expected connectionLost with the request sent, got \(error)")
            return
        }
        let hits = try expectResponse(try await perform(client, HTTPRequest(method: .get, url: server.url("/hits?path=/close"))))
        #expect(try json(hits)["count"] as? Int == 1)
    }

    /// On a reused connection libcurl would silently resend; an order must not be.
    @Test func deadReusedConnectionIsNotResentForNonIdempotentRequests() async throws {
        let server = try await LoopbackServer()
        let client = try HTTPClient()
        _ = try expectResponse(try await perform(client, HTTPRequest(method: .get, url: server.url("/echo"))))
        let error = try expectError(try await perform(client, HTTPRequest(method: .post, url: server.url("/close"))))
        guard case .connectionLost(requestMayHaveBeenSent: true, _) = error else {
            Issue.record("expected connectionLost with the request sent, got \(error)")
            return
        }
        let hits = try expectResponse(try await perform(client, HTTPRequest(method: .get, url: server.url("/hits?path=/close"))))
        #expect(try json(hits)["count"] as? Int == 1, "the POST reached the server exactly once")
    }

    @Test func deadReusedConnectionIsResentForIdempotentRequests() async throws {
        let server = try await LoopbackServer()
        let client = try HTTPClient()
        _ = try expectResponse(try await perform(client, HTTPRequest(method: .get, url: server.url("/echo"))))
        let error = try expectError(try await perform(client, HTTPRequest(method: .get, url: server.url("/close"))))
        #expect(error.requestMayHaveBeenSent)
        let hits = try expectResponse(try await perform(client, HTTPRequest(method: .get, url: server.url("/hits?path=/close"))))
        #expect(try json(hits)["count"] as? Int == 2, "libcurl resent the GET once on a fresh connection")
    }

    @Test func cancelledRequestReportsCancelled() async throws {
        let server = try await LoopbackServer()
        let client = try HTTPClient()
        let box = LockedBox<Result<HTTPResponse, HTTPError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = client.execute(HTTPRequest(method: .get, url: server.url("/delay?ms=5000")), on: DispatchQueue(label: "t")) {
            box.value = $0
            done.signal()
        }
        task.cancel()
        guard await done.wait(seconds: 20) else {
            Issue.record("no completion after cancel")
            return
        }
        guard case .failure(.cancelled) = box.value else {
            Issue.record("expected cancelled, got \(String(describing: box.value))")
            return
        }
    }

    @Test func droppingTheClientFailsRequestsInFlight() async throws {
        let server = try await LoopbackServer()
        let box = LockedBox<Result<HTTPResponse, HTTPError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        do {
            let client = try HTTPClient()
            client.execute(HTTPRequest(method: .get, url: server.url("/delay?ms=5000")), on: DispatchQueue(label: "t")) {
                box.value = $0
                done.signal()
            }
        }
        guard await done.wait(seconds: 20) else {
            Issue.record("no completion after the client went away")
            return
        }
        guard case .failure(.clientClosed) = box.value else {
            Issue.record("expected clientClosed, got \(String(describing: box.value))")
            return
        }
    }
}
