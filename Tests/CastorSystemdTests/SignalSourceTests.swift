import CastorTestSupport
import Dispatch
import Glibc
import Testing
@testable import CastorSystemd

@Suite struct SignalSourceTests {
    @Test func deliversARaisedSignalToTheHandlerQueue() async throws {
        // Block in this thread; libdispatch's forwarding handler fixes up any other thread
        // that still has SIGUSR1 unblocked once the source is registered.
        SignalHandling.blockSignals([.user1])
        let queue = DispatchQueue(label: "castor.test.signals")
        let registered = DispatchSemaphore(value: 0)
        let fired = DispatchSemaphore(value: 0)
        let source = SignalSource(signal: .user1, queue: queue) {
            dispatchPrecondition(condition: .onQueue(queue))
            fired.signal()
        }
        source.activate(registered: { registered.signal() })
        source.activate() // a second activation is harmless
        #expect(await registered.wait(seconds: 5), "source never registered")

        kill(getpid(), SIGUSR1)
        #expect(await fired.wait(seconds: 5), "handler not called within 5 s")
        source.cancel()
    }

    @Test func signalNumbers() {
        #expect(Signal.hangup.number == SIGHUP)
        #expect(Signal.terminate.number == SIGTERM)
        #expect(Signal.interrupt.number == SIGINT)
        #expect(Signal.user1.number == SIGUSR1)
    }
}
