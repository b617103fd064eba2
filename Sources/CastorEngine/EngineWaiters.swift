/// What waits on the engine: the caller of `start`, until the start-up finishes, and the
/// shutdown step waiting for its condition (`checkShutdownWait`). Engine queue only.
struct EngineWaiters {
    /// Whoever waits for the start to finish.
    var start: (@Sendable (Result<Void, EngineError>) -> Void)?
    /// The shutdown step waiting for a condition, if any.
    var shutdown: ShutdownWait?
}
