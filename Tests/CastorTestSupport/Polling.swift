import Dispatch

// The one way tests wait for something another thread, queue or process does: poll a
// condition against an explicit deadline, sleeping with `Task.sleep` in between (which holds
// no cooperative-pool thread), and fail with a message naming what was awaited. Never a bare
// sleep standing in for "long enough", never a spin on `Task.yield` without a clock. Waits
// that must block (a semaphore, a child process) go through `OffPool.swift` instead.
//
// A test that drives a `ManualClock` needs none of this: it advances the clock.

/// Thrown by the polling helpers when their deadline passes; names what was awaited.
public struct PollTimedOut: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Polls `condition` every `intervalMs` until it returns true or `seconds` pass, then
/// throws `PollTimedOut` naming `what`. The condition is checked once more at the deadline.
public func pollUntil(_ what: String, seconds: Double = 20, intervalMs: Int = 25,
                      _ condition: () async throws -> Bool) async throws {
    _ = try await pollFor(what, seconds: seconds, intervalMs: intervalMs) { try await condition() ? () : nil }
}

/// Polls `probe` every `intervalMs` until it returns a value, which it returns, or until
/// `seconds` pass, then throws `PollTimedOut` naming `what`.
public func pollFor<T>(_ what: String, seconds: Double = 20, intervalMs: Int = 25,
                       _ probe: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if let value = try await probe() { return value }
        try await Task.sleep(for: .milliseconds(max(1, intervalMs)))
    }
    if let value = try await probe() { return value }
    throw PollTimedOut(description: "timed out after \(seconds) s waiting for: \(what)")
}

/// `pollUntil` for state confined to a serial queue: `condition` runs on `queue` (one
/// `async` hop per check, awaited without holding a pool thread).
public func pollUntil(_ what: String, on queue: DispatchQueue, seconds: Double = 20, intervalMs: Int = 5,
                      _ condition: @escaping @Sendable () -> Bool) async throws {
    try await pollUntil(what, seconds: seconds, intervalMs: intervalMs) { await runOn(queue, condition) }
}

/// Runs `body` on `queue` and awaits its result without blocking the caller's thread.
public func runOn<T: Sendable>(_ queue: DispatchQueue, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        queue.async { continuation.resume(returning: body()) }
    }
}
