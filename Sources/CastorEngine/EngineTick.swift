import CastorCore

/// The engine's 1 s tick: its timer and when it last turned (the watchdog's liveness).
struct EngineTick {
    var timer: ScheduledTimer?
    var lastMs: Int64
}
