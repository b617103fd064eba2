import CastorEmbeddedSim
import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Testing

@Suite("EmbeddedVenue")
struct EmbeddedVenueTests {
    @Test func startsOnAnEphemeralLoopbackPortWithAGeneratedSecret() async throws {
        let queue = DispatchQueue(label: "test.venue")
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        // Continuations, not semaphores: blocking a cooperative thread would starve the
        // simulator's own tasks on a 2-core machine.
        let venue = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<EmbeddedVenue, any Error>) in
            EmbeddedVenue.start(symbols: nil, logger: logger, queue: queue) { continuation.resume(with: $0) }
        }
        #expect(venue.restURL.hasPrefix("http://127.0.0.1:"))
        #expect(!venue.restURL.hasSuffix(":0"))
        #expect(venue.webSocketURL.hasPrefix("ws://127.0.0.1:"))
        #expect(venue.credentials.key == EmbeddedVenue.apiKeyName)
        #expect(venue.credentials.secretLength == 64)
        let (data, response) = try await URLSession.shared.data(from: URL(string: venue.restURL + "/v1/symbols")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self).lowercased().contains("btcusd"))
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            venue.stop(queue: queue) { continuation.resume() }
        }
    }
}
