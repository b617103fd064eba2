import CastorDaemon
import Dispatch
import Synchronization
import Testing

/// `STATUS=` stays live: the refresher sends the engine's line when it changed, and only then.
@Suite struct StatusRefresherTests {
    @Test func aChangedLineIsSentOnceAndAnUnchangedOneNotAgain() {
        let queue = DispatchQueue(label: "test.engine")
        let line = Mutex("running: 0 fills")
        let sent = Mutex<[String]>([])
        let refresher = StatusRefresher(queue: queue, line: { line.withLock { $0 } }, send: { text in sent.withLock { $0.append(text) } })
        queue.sync {
            #expect(refresher.refresh())
            #expect(!refresher.refresh())
            line.withLock { $0 = "running: 1 fills, session PnL BTCUSD 0.5" }
            #expect(refresher.refresh())
        }
        #expect(sent.withLock { $0 } == ["running: 0 fills", "running: 1 fills, session PnL BTCUSD 0.5"])
    }
}
