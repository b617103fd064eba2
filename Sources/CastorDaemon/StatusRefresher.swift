import Dispatch

/// Keeps `systemctl status` live: every few seconds it sends `STATUS=` with the engine's
/// current one-line status, when that line changed since the last one sent.
///
/// Runs on the engine queue (the status is read there). `@unchecked Sendable` so the owner
/// can keep it in a `Sendable` context; confined to `queue`.
public final class StatusRefresher: @unchecked Sendable {
    private let queue: DispatchQueue
    private let intervalMs: Int
    private let line: () -> String
    private let send: (String) -> Void
    private var timer: DispatchSourceTimer?
    private var lastSent: String?

    /// - Parameters:
    ///   - line: the status to show, read on `queue` (`EngineHost.statusLine`).
    ///   - send: delivers it (`SystemdNotifier.status`).
    public init(queue: DispatchQueue, intervalMs: Int = 5_000, line: @escaping () -> String, send: @escaping (String) -> Void) {
        self.queue = queue
        self.intervalMs = max(100, intervalMs)
        self.line = line
        self.send = send
    }

    public func start() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard timer == nil else { return }
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now() + .milliseconds(intervalMs), repeating: .milliseconds(intervalMs),
                        leeway: .milliseconds(intervalMs / 10))
        source.setEventHandler { [weak self] in self?.refresh() }
        source.activate()
        timer = source
    }

    public func stop() {
        dispatchPrecondition(condition: .onQueue(queue))
        timer?.cancel()
        timer = nil
    }

    /// Sends the current line if it differs from the last one sent; true if it sent.
    @discardableResult
    public func refresh() -> Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        let now = line()
        guard now != lastSent else { return false }
        lastSent = now
        send(now)
        return true
    }
}
