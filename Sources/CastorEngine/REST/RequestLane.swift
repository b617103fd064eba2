import CastorCore
import CastorConfig
import CastorTrading

/// The key's request lane as the engine drives it: the venue's execution client,
/// the key's one ordered queue (`RequestScheduler`: rate buckets, priorities, deadlines,
/// one private request in flight, the handshake's lease of that slot, retirement), its
/// wake-up timer and the back-off state after rate-limit answers.
///
/// Part of the engine's state, so confined to the engine queue.
struct RequestLane {
    /// Nil until the start-up's `openSession` step, and again once released.
    var venue: (any VenueExecution)?
    /// The execution client after `releaseResources` retired it (see `awaitRetirement`).
    var retiring: (any VenueExecution)?
    var scheduler: RequestScheduler<RESTJob>
    var wake: ScheduledTimer?
    /// Rate-limit answers in a row (the back-off's exponent).
    var consecutiveBackOffs = 0
    /// When the last private request left (the idle heartbeat).
    var lastPrivateSendMs: Int64 = 0
    /// Jitter for retries and back-off.
    var rng: SeededRandom
}
