import CastorEmbeddedSim
import CastorTestSupport
import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GeminiProtocol
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Testing

@Suite("EmbeddedVenue")
struct EmbeddedVenueTests {
    static func startVenue(symbols: [String]? = nil, executable: String? = nil) async throws -> (EmbeddedVenue, DispatchQueue) {
        let queue = DispatchQueue(label: "test.venue")
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        // Continuations, not semaphores: no cooperative thread blocked while it starts.
        let venue = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<EmbeddedVenue, any Error>) in
            EmbeddedVenue.start(symbols: symbols, executable: executable, logger: logger, queue: queue) { continuation.resume(with: $0) }
        }
        return (venue, queue)
    }

    /// `castor-sim` next to this test bundle (the build directory builds it with the tests).
    static var simulator: String { EmbeddedVenue.simulatorExecutable() }

    static func file(_ path: String) -> String {
        (try? String(decoding: Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)) ?? ""
    }

    static func stop(_ venue: EmbeddedVenue, _ queue: DispatchQueue) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            venue.stop(queue: queue) { continuation.resume() }
        }
    }

    @Test func startsOnAnEphemeralLoopbackPortWithAGeneratedSecret() async throws {
        let (venue, queue) = try await Self.startVenue()
        #expect(venue.restURL.hasPrefix("http://127.0.0.1:"))
        #expect(!venue.restURL.hasSuffix(":0"))
        #expect(venue.webSocketURL.hasPrefix("ws://127.0.0.1:"))
        #expect(venue.wsAPIURL.hasPrefix("ws://127.0.0.1:") && venue.wsAPIURL != venue.webSocketURL && !venue.wsAPIURL.hasSuffix(":0"))
        #expect(venue.credentials.key == EmbeddedVenue.apiKeyName)
        #expect(venue.credentials.secretLength == 64)
        let (data, response) = try await URLSession.shared.data(from: URL(string: venue.restURL + "/v1/symbols")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self).lowercased().contains("btcusd"))
        await Self.stop(venue, queue)
    }

    /// The simulator is a child process (castor-sim) that got its secret on stdin: the secret
    /// is neither in its command line nor in its environment; `stop` ends and reaps it.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: EmbeddedVenueTests.simulator), "build the castor-sim product first"))
    func theSimulatorIsAChildThatNeverSeesTheSecretOnItsCommandLine() async throws {
        let (venue, queue) = try await Self.startVenue(symbols: ["ETHUSD", "BTCUSD"])
        let pid = venue.pid
        let status = Self.file("/proc/\(pid)/status")
        #expect(status.contains("PPid:\t\(getpid())\n"), "\(status.prefix(300))")
        let arguments = Self.file("/proc/\(pid)/cmdline").split(separator: "\0").map(String.init)
        #expect(arguments.first?.hasSuffix("/castor-sim") == true && arguments.contains("--secret-on-stdin"), "\(arguments)")
        // The generated secret is 64 hex digits: no argument is one.
        #expect(!arguments.contains { $0.count == 64 && $0.allSatisfy(\.isHexDigit) }, "\(arguments)")
        // An environment of its own: nothing of ours (credentials, NOTIFY_SOCKET).
        #expect(Self.file("/proc/\(pid)/environ") == "PATH=/usr/bin:/bin\0")
        // --symbols reached it: it lists exactly those.
        let (data, _) = try await URLSession.shared.data(from: URL(string: venue.restURL + "/v1/symbols")!)
        let listed = try #require(try JSONSerialization.jsonObject(with: data) as? [String])
        #expect(Set(listed.map { $0.lowercased() }) == ["ethusd", "btcusd"])
        await Self.stop(venue, queue)
        // Reaped: no such process any more (not even a zombie).
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
    }

    @Test func aMissingSimulatorIsAnErrorNamingTheFile() async throws {
        do {
            _ = try await Self.startVenue(executable: "/nonexistent/castor-sim")
            Issue.record("started without a simulator")
        } catch let error as EmbeddedVenueError {
            #expect(error == .simulatorMissing(path: "/nonexistent/castor-sim"))
            #expect(error.description.contains("/nonexistent/castor-sim is missing") && error.description.contains("castor-sim"))
        }
    }

    @Test func aSimulatorThatExitsBeforeItIsReadyFailsTheStart() async throws {
        do {
            _ = try await Self.startVenue(executable: "/bin/false")
            Issue.record("started on /bin/false")
        } catch let error as EmbeddedVenueError {
            guard case .startFailed(let reason) = error else { Issue.record("\(error)"); return }
            #expect(reason.contains("exited with status 1 before it was ready"), "\(reason)")
        }
    }

    /// `--exit-on-stdin-close`: castor-sim stops once its standard input closes, which is
    /// what happens when the daemon that holds the other end dies, however it dies.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: EmbeddedVenueTests.simulator), "build the castor-sim product first"))
    func castorSimStopsWhenItsStandardInputCloses() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.simulator)
        process.arguments = ["--listen", "127.0.0.1:0", "--ws-api-listen", "127.0.0.1:0", "--secret-on-stdin", "--exit-on-stdin-close"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data("a-secret-from-stdin\n".utf8))
        let reader = output.fileHandleForReading
        let ready: String = await withCheckedContinuation { continuation in
            Thread {
                var text = ""
                while !text.contains("sim.ready") {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                continuation.resume(returning: text)
            }.start()
        }
        #expect(ready.contains(#""event":"sim.ready""#) && !ready.contains("a-secret-from-stdin"), "\(ready)")
        try input.fileHandleForWriting.close()
        let stopped = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: exited.wait(timeout: .now() + 30) == .success) }
        }
        #expect(stopped, "castor-sim still runs 30 s after its stdin closed")
        if !stopped { process.terminate() }
        #expect(process.terminationStatus == 0)
    }

    /// The embedded key is account-scoped and time-based: Castor's REST nonces (seconds with
    /// a millisecond fraction) pass, and so does a signed upgrade of the new WebSocket API.
    @Test func theKeyWorksOverRESTAndOnTheNewWebSocketAPI() async throws {
        let (venue, queue) = try await Self.startVenue()
        #expect(venue.credentials.key.hasPrefix("account-"))
        let signer = GeminiSigner(credentials: venue.credentials, nonceFormat: .secondsWithMillis)
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        let rest = signer.signedHeaders(path: "/v1/balances", nonce: Nonce(milliseconds: nowMs))
        var request = URLRequest(url: URL(string: venue.restURL + "/v1/balances")!)
        request.httpMethod = "POST"
        for header in rest.headers { request.setValue(header.value, forHTTPHeaderField: header.name) }
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)

        // The upgrade's nonce (whole seconds) must be above that REST nonce: the next second.
        let upgrade = signer.newWebSocketAPIHeaders(nonce: Nonce(milliseconds: (nowMs / 1000 + 1) * 1000))
        let port = try #require(UInt16(venue.wsAPIURL.split(separator: ":").last ?? ""))
        let status = try await Self.upgradeStatus(port: port, headers: upgrade.headers)
        #expect(status.hasPrefix("HTTP/1.1 101"), "\(status)")
        // The same nonce again is refused: 401.
        #expect(try await Self.upgradeStatus(port: port, headers: upgrade.headers).hasPrefix("HTTP/1.1 401"))
        await Self.stop(venue, queue)
    }

    /// Sends a WebSocket upgrade request to `127.0.0.1:port` and returns the response's
    /// status line, on a thread of its own (blocking socket calls with a 10 s timeout).
    static func upgradeStatus(port: UInt16, headers: [(name: String, value: String)]) async throws -> String {
        var text = "GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for header in headers { text += "\(header.name): \(header.value)\r\n" }
        text += "\r\n"
        let request = text
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try Self.exchange(port: port, request: request) })
            }
            thread.start()
        }
    }

    private static func exchange(port: UInt16, request: String) throws -> String {
        let client = try RawHTTPClient(port: port)
        defer { client.close() }
        try client.send(request)
        return try client.readStatusLine()
    }
}
