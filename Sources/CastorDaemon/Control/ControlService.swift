import CastorCore
import CastorStatus
import Dispatch
import Logging

/// Answers the control socket's requests for the running daemon: `status` from whichever
/// engine runs, `kill-switch on|off` through the engine host (so it holds across a reload's
/// engine swap). Runs on the engine queue.
///
/// Queue-confined to `queue` behind `@unchecked Sendable`.
public final class ControlService: @unchecked Sendable {
    private let queue: DispatchQueue
    private let engine: any ManagedEngine
    private let logger: Logger
    /// Called after a kill-switch change, e.g. to refresh `STATUS=`.
    private let onKillSwitchChange: (Bool) -> Void
    /// Runs a reload and answers with its outcome: nil when applied (or unchanged), else why not.
    private let reload: (@escaping @Sendable (_ error: String?, _ detail: String) -> Void) -> Void
    private var server: ControlSocketServer?

    public init(queue: DispatchQueue, engine: any ManagedEngine, logger: Logger, onKillSwitchChange: @escaping (Bool) -> Void,
                reload: @escaping (@escaping @Sendable (_ error: String?, _ detail: String) -> Void) -> Void) {
        self.queue = queue
        self.engine = engine
        self.logger = logger
        self.onKillSwitchChange = onKillSwitchChange
        self.reload = reload
    }

    /// Listens on `path`. A socket that cannot be made is logged and the daemon runs on
    /// without one (trading does not depend on it).
    public func start(path: String) {
        dispatchPrecondition(condition: .onQueue(queue))
        do {
            let server = try ControlSocketServer(path: path, queue: queue) { [weak self] line, answer in
                guard let self else { return answer(ControlAnswer.error("castor is shutting down")) }
                self.handle(line, reply: answer)
            }
            server.start()
            self.server = server
            logger.info("control socket listening", metadata: ["event": "control.listening", "path": "\(path)"])
        } catch {
            logger.warning("no control socket: castor status and castor kill-switch will not reach this daemon",
                           metadata: ["event": "control.unavailable", "reason": "socket_failed", "path": "\(path)",
                                      "detail": "\(error)"])
        }
    }

    public func stop() {
        dispatchPrecondition(condition: .onQueue(queue))
        server?.stop()
        server = nil
    }

    /// Answers one request line through `reply`: at once, or for `reload` once it is done.
    func handle(_ line: String, reply: @escaping @Sendable (String) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        switch ControlRequest(line: line) {
        case .reload?:
            reload { error, detail in reply(error.map { ControlAnswer.error($0) } ?? ControlAnswer.reloaded("applied", detail: detail)) }
        case .status?:
            reply(status())
        case .killSwitch(let engage)?:
            reply(killSwitch(engage: engage))
        case nil:
            let shown = line.count > 80 ? String(line.prefix(80)) + "…" : line
            reply(ControlAnswer.error("unknown request \"\(shown)\"; send status, kill-switch on, kill-switch off or reload"))
        }
    }

    private func status() -> String {
        guard let report = engine.operatorStatus else { return ControlAnswer.error("no engine is running right now (starting or reloading); ask again") }
        do { return ControlAnswer.status(try report.json()) } catch { return ControlAnswer.error("status could not be written: \(error)") }
    }

    /// The operator's command: it may release a switch anyone engaged (a signal, the file).
    private func killSwitch(engage: Bool) -> String {
        let held = engine.killSwitchHolder
        if engage {
            engine.engageKillSwitch(by: .operator, detail: "castor kill-switch on")
        } else {
            engine.releaseKillSwitch(by: .operator, detail: "castor kill-switch off")
        }
        let now = engine.isKillSwitchEngaged
        if (held != nil) != now {
            var metadata: Logger.Metadata = ["event": now ? "killswitch.engaged" : "killswitch.released",
                                             "reason": "operator", "by": "control_socket"]
            if let held { metadata["held_by"] = "\(held.code)" }
            logger.critical(now ? "KILL SWITCH ENGAGED by castor kill-switch: cancelling all open orders, refusing new ones"
                                : "kill switch released by castor kill-switch: the strategy may place orders again",
                            metadata: metadata)
            onKillSwitchChange(now)
        }
        return ControlAnswer.killSwitch(engaged: now, changed: (held != nil) != now)
    }
}
