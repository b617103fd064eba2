import CastorStatus
import CastorConfig
import CastorCore
import Dispatch

/// What the process shell (`castor run`) needs from the trading engine.
///
/// The shell drives the engine only through this protocol so that the reload controller,
/// shutdown sequencer and watchdog pinger can be tested against a scripted engine, and so
/// the shell does not depend on the engine at all: `CastorDaemon` does not import
/// `CastorEngine`. `Engine` conforms in the `castor` executable
/// (`Run/Engine+ManagedEngine.swift`).
///
/// Threading: every requirement is called on the engine's queue (the queue the engine was
/// created with), and completions are called on that queue too.
public protocol ManagedEngine: AnyObject, Sendable {
    /// Connects both feeds; `completion` runs once they are subscribed (or start failed).
    func startEngine(completion: @escaping @Sendable (Result<Void, ManagedEngineFailure>) -> Void)

    /// Applies a validated configuration to the running engine (same venue, key and
    /// account; a symbols change reconnects market data after checking the new symbols).
    /// On failure nothing changed. `completion` runs once on the engine queue, possibly
    /// before this returns, with a one-line description of what was applied, for the log.
    func applyConfiguration(_ configuration: CastorConfiguration,
                            completion: @escaping @Sendable (Result<String, ManagedEngineFailure>) -> Void)

    /// Engages the kill switch (cancel everything, refuse new orders) on behalf of `cause`;
    /// `detail` is the free text of its log line. Idempotent: engaging an engaged switch
    /// changes nothing but who holds it (a switch the configuration held becomes `cause`'s).
    func engageKillSwitch(by cause: KillSwitchCause, detail: String)

    /// Releases the kill switch if `cause` may (`KillSwitchCause.mayRelease`: the operator
    /// always, anyone else only a switch it engaged itself); otherwise it stays engaged.
    func releaseKillSwitch(by cause: KillSwitchCause, detail: String)

    /// Who holds the kill switch engaged; nil while it is released.
    var killSwitchHolder: KillSwitchCause? { get }

    /// Stops the strategy, optionally cancels this session's open orders, closes the journal
    /// and feeds; `completion` runs once, no later than shortly after `deadline`.
    func shutdownEngine(cancelOpenOrders: Bool, deadline: DispatchTime,
                        completion: @escaping @Sendable (ManagedEngineShutdownReport) -> Void)

    /// After `shutdownEngine` completed or `startEngine` failed: `completion` (engine queue)
    /// runs once the engine will never sign another request, so a successor may use the
    /// same API key (one live nonce source per key); `false` if `deadline` came first.
    func awaitSessionRetired(deadline: DispatchTime, completion: @escaping @Sendable (Bool) -> Void)

    /// True while the engine's own loop is making progress; the watchdog pings only then.
    var isAlive: Bool { get }

    /// A one-line status for `systemctl status` (`STATUS=`).
    var statusLine: String { get }

    /// What `castor status` shows; nil while no engine can say (between two engines).
    var operatorStatus: StatusReport? { get }
}

extension ManagedEngine {
    public var operatorStatus: StatusReport? { nil }
}

extension ManagedEngine {
    /// Whether the kill switch is engaged.
    public var isKillSwitchEngaged: Bool { killSwitchHolder != nil }
}

/// Why the engine refused or failed an operation, in words an operator can act on.
///
/// The shell does not know the engine's error type (it sees the engine only through
/// `ManagedEngine`); the engine's own error travels as `cause`, for the caller that does
/// know it (`castor run` maps it to an exit code).
public struct ManagedEngineFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do about it.
    public let message: String
    /// The engine's own error, when it has one.
    public let cause: (any Error & Sendable)?

    public init(_ message: String, cause: (any Error & Sendable)? = nil) {
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}

/// How a shutdown went.
public struct ManagedEngineShutdownReport: Sendable, Equatable {
    /// Orders that were cancelled (confirmed by the venue) during shutdown.
    public var cancelledOrders: Int
    /// Orders still open on the venue when the engine stopped (cancel failed or not asked).
    public var ordersLeftOpen: Int
    /// False when the deadline cut the shutdown short.
    public var completedInTime: Bool

    public init(cancelledOrders: Int, ordersLeftOpen: Int, completedInTime: Bool) {
        self.cancelledOrders = cancelledOrders
        self.ordersLeftOpen = ordersLeftOpen
        self.completedInTime = completedInTime
    }
}
