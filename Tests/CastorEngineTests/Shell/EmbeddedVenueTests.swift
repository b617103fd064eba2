import CastorEngine
import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Synchronization
import Testing

@Suite("EmbeddedVenue")
struct EmbeddedVenueTests {
    @Test func startsOnAnEphemeralLoopbackPortWithAGeneratedSecret() async throws {
        let queue = DispatchQueue(label: "test.venue")
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let started = Locked<Result<EmbeddedVenue, EmbeddedVenueError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        EmbeddedVenue.start(symbols: nil, logger: logger, queue: queue) { result in
            started.withLock { $0 = result }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
        let venue = try #require(try started.withLock { $0 }?.get())
        #expect(venue.restURL.hasPrefix("http://127.0.0.1:"))
        #expect(!venue.restURL.hasSuffix(":0"))
        #expect(venue.webSocketURL.hasPrefix("ws://127.0.0.1:"))
        #expect(venue.credentials.key == EmbeddedVenue.apiKeyName)
        #expect(venue.credentials.secretLength == 64)
        let (data, response) = try await URLSession.shared.data(from: URL(string: venue.restURL + "/v1/symbols")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self).lowercased().contains("btcusd"))
        let stopped = DispatchSemaphore(value: 0)
        venue.stop(queue: queue) { stopped.signal() }
        #expect(stopped.wait(timeout: .now() + 30) == .success)
    }
}
