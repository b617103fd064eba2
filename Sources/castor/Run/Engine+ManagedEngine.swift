import CastorConfig
import CastorCore
import CastorDaemon
import CastorEngine
import CastorStatus
import Dispatch

/// The real engine as the process shell (`CastorDaemon`) sees it; a thin mapping, no
/// behaviour of its own. It lives here, in the executable, because this is the one module
/// that knows both: the shell sees only `ManagedEngine`, the engine knows no shell.
///
/// An `EngineError` travels as the failure's `cause`, so `Daemon` can map it to an exit
/// code; a `ReloadOutcome` becomes its one-line description for the `reload.applied` log.
extension Engine: ManagedEngine {
    public func startEngine(completion: @escaping @Sendable (Result<Void, ManagedEngineFailure>) -> Void) {
        start { result in completion(result.mapError { ManagedEngineFailure($0.description, cause: $0) }) }
    }

    public func applyConfiguration(_ configuration: CastorConfiguration,
                                   completion: @escaping @Sendable (Result<String, ManagedEngineFailure>) -> Void) {
        apply(configuration: configuration) { result in
            completion(result.map(\.description).mapError { ManagedEngineFailure($0.description, cause: $0) })
        }
    }

    public func engageKillSwitch(by cause: KillSwitchCause, detail: String) {
        setKillSwitch(true, by: cause, reason: detail)
    }

    public func releaseKillSwitch(by cause: KillSwitchCause, detail: String) {
        setKillSwitch(false, by: cause, reason: detail)
    }

    public func shutdownEngine(cancelOpenOrders: Bool, deadline: DispatchTime,
                               completion: @escaping @Sendable (ManagedEngineShutdownReport) -> Void) {
        let openBefore = openOrderCount
        shutdown(cancelOpenOrders: cancelOpenOrders, deadline: deadline) { [self] result in
            // Runs on the engine queue, so reading the engine's state here is allowed.
            let openAfter = openOrderCount
            let inTime: Bool
            if case .failure = result { inTime = false } else { inTime = true }
            completion(ManagedEngineShutdownReport(cancelledOrders: max(0, openBefore - openAfter),
                                                   ordersLeftOpen: openAfter, completedInTime: inTime))
        }
    }

    public var isAlive: Bool { health.alive }

    public var operatorStatus: StatusReport? { statusReport }
}
