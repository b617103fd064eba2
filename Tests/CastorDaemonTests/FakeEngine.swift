import CastorConfig
import CastorCore
import CastorDaemon
import Dispatch

/// A scripted `ManagedEngine` for the shell tests: records calls, answers as told.
/// Confined to its queue, like the real engine.
final class FakeEngine: ManagedEngine, @unchecked Sendable {
    let queue: DispatchQueue
    /// Which configuration it was built for (tests tell engines apart by it).
    let name: String
    var applied: [CastorConfiguration] = []
    var refuseApply: String?
    /// nil: start never completes (to test timeouts and shutdown during start-up).
    var startResult: Result<Void, ManagedEngineFailure>? = .success(())
    var startCalls = 0
    /// Who holds the kill switch (the engine's rules, simplified: the first holder stays,
    /// except that anyone takes it over from the configuration).
    var killSwitchHolder: KillSwitchCause?
    var killSwitch: Bool { killSwitchHolder != nil }
    var killSwitchReasons: [String] = []
    var alive = true
    var aliveChecks = 0
    var shutdownCalls: [(cancel: Bool, deadline: DispatchTime)] = []
    var retireCalls = 0
    /// nil: never completes (to test the deadline).
    var shutdownReport: ManagedEngineShutdownReport? = ManagedEngineShutdownReport(cancelledOrders: 2, ordersLeftOpen: 0, completedInTime: true)

    init(queue: DispatchQueue, name: String = "engine") {
        self.queue = queue
        self.name = name
    }

    func startEngine(completion: @escaping @Sendable (Result<Void, ManagedEngineFailure>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        startCalls += 1
        if let startResult { completion(startResult) }
    }

    func applyConfiguration(_ configuration: CastorConfiguration,
                            completion: @escaping @Sendable (Result<String, ManagedEngineFailure>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        if let refuseApply { return completion(.failure(ManagedEngineFailure(refuseApply))) }
        applied.append(configuration)
        completion(.success("strategy \(configuration.strategy.selection.name)"))
    }

    func engageKillSwitch(by cause: KillSwitchCause, detail: String) {
        dispatchPrecondition(condition: .onQueue(queue))
        if killSwitchHolder == nil || killSwitchHolder == .configuration { killSwitchHolder = cause }
        killSwitchReasons.append(detail)
    }

    func releaseKillSwitch(by cause: KillSwitchCause, detail: String) {
        dispatchPrecondition(condition: .onQueue(queue))
        if let holder = killSwitchHolder, cause.mayRelease(heldBy: holder) { killSwitchHolder = nil }
        killSwitchReasons.append(detail)
    }

    func shutdownEngine(cancelOpenOrders: Bool, deadline: DispatchTime,
                        completion: @escaping @Sendable (ManagedEngineShutdownReport) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        shutdownCalls.append((cancelOpenOrders, deadline))
        if let report = shutdownReport { queue.async { completion(report) } } else { heldShutdowns.append(completion) }
    }

    /// Shutdowns waiting for `finishShutdown` (when `shutdownReport` is nil).
    private var heldShutdowns: [@Sendable (ManagedEngineShutdownReport) -> Void] = []

    /// Completes the shutdowns held so far with `report`.
    func finishShutdown(_ report: ManagedEngineShutdownReport) {
        dispatchPrecondition(condition: .onQueue(queue))
        let held = heldShutdowns
        heldShutdowns.removeAll()
        for completion in held { completion(report) }
    }

    func awaitSessionRetired(deadline: DispatchTime, completion: @escaping @Sendable (Bool) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        retireCalls += 1
        queue.async { completion(true) }
    }

    var isAlive: Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        aliveChecks += 1
        return alive
    }

    var statusLine: String { "fake engine \(name)" }
}
