import CastorConfig
import CastorEngine
import Dispatch

/// A scripted `ManagedEngine` for the shell tests: records calls, answers as told.
/// Confined to its queue, like the real engine.
final class FakeEngine: ManagedEngine, @unchecked Sendable {
    let queue: DispatchQueue
    var applied: [CastorConfiguration] = []
    var refuseApply: String?
    var killSwitch = false
    var killSwitchReasons: [String] = []
    var alive = true
    var aliveChecks = 0
    var shutdownCalls: [(cancel: Bool, deadline: DispatchTime)] = []
    /// nil: never completes (to test the deadline).
    var shutdownReport: ManagedEngineShutdownReport? = ManagedEngineShutdownReport(cancelledOrders: 2, ordersLeftOpen: 0, completedInTime: true)

    init(queue: DispatchQueue) { self.queue = queue }

    func startEngine(completion: @escaping @Sendable (Result<Void, ManagedEngineFailure>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        completion(.success(()))
    }

    func applyConfiguration(_ configuration: CastorConfiguration) -> Result<String, ManagedEngineFailure> {
        dispatchPrecondition(condition: .onQueue(queue))
        if let refuseApply { return .failure(ManagedEngineFailure(refuseApply)) }
        applied.append(configuration)
        return .success("strategy \(configuration.strategy.selection.name)")
    }

    func setKillSwitchEngaged(_ engaged: Bool, reason: String) {
        killSwitch = engaged
        killSwitchReasons.append(reason)
    }

    var isKillSwitchEngaged: Bool { killSwitch }

    func shutdownEngine(cancelOpenOrders: Bool, deadline: DispatchTime,
                        completion: @escaping @Sendable (ManagedEngineShutdownReport) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        shutdownCalls.append((cancelOpenOrders, deadline))
        if let report = shutdownReport { queue.async { completion(report) } }
    }

    var isAlive: Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        aliveChecks += 1
        return alive
    }

    var statusLine: String { "fake engine" }
}
