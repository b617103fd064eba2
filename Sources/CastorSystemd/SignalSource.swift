import Dispatch

/// One Dispatch signal source with its handler on a given queue.
///
/// Keep a strong reference for as long as the signal should be handled: a released source is
/// cancelled and the signal falls back to its (blocked) disposition. The handler should only
/// hand off — schedule a reload, begin a graceful shutdown with a deadline — and never call
/// `exit()`. Block the signal first (`SignalHandling.blockSignals`), or a signal arriving
/// before libdispatch registers the source takes the default action.
///
/// Thread safety: `@unchecked Sendable` because `DispatchSourceSignal` is not `Sendable`;
/// the source is created in `init` and only `activate()`/`cancel()` touch it, both of which
/// libdispatch documents as thread-safe, and `activated` is guarded by a lock.
public final class SignalSource: @unchecked Sendable {
    /// The signal this source handles.
    public let signal: Signal
    private let source: DispatchSourceSignal
    private let lock = DispatchQueue(label: "castor.signal-source.state")
    private var activated = false

    /// Creates an inactive source; `handler` runs on `queue` once per delivery (coalesced
    /// deliveries run it once, with Dispatch's usual semantics).
    public init(signal: Signal, queue: DispatchQueue, handler: @escaping @Sendable () -> Void) {
        self.signal = signal
        source = DispatchSource.makeSignalSource(signal: signal.number, queue: queue)
        source.setEventHandler(handler: handler)
    }

    /// Starts delivery. Only the first call has an effect; `registered` runs on the source's
    /// queue once libdispatch has installed the signalfd and its forwarding handler, after
    /// which a raised signal is guaranteed to reach `handler`.
    public func activate(registered: (@Sendable () -> Void)? = nil) {
        let first: Bool = lock.sync {
            defer { activated = true }
            return !activated
        }
        guard first else { return }
        if let registered { source.setRegistrationHandler(handler: registered) }
        source.activate()
    }

    /// Stops delivery; the source cannot be re-activated.
    public func cancel() {
        // An inactive source must be activated before cancel or it never releases.
        activate()
        source.cancel()
    }

    deinit {
        cancel()
    }
}
