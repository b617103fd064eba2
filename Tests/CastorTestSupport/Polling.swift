/// Thrown by `pollUntil` when its deadline passes; names what was awaited.
public struct PollTimedOut: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Polls `condition` every `intervalMs` until it returns true or `seconds` pass, then
/// throws `PollTimedOut` naming `what`. The way to wait for another process (no fixed sleeps).
public func pollUntil(_ what: String, seconds: Double = 20, intervalMs: Int = 25,
                      _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(intervalMs))
    }
    if try await condition() { return }
    throw PollTimedOut(description: "timed out after \(seconds) s waiting for: \(what)")
}
