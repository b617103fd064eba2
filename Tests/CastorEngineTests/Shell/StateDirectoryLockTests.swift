import CastorEngine
import Foundation
import Testing

@Suite struct StateDirectoryLockTests {
    /// Two castor processes on one state directory would race on the nonce file and the
    /// journals: the second lock is refused, naming the holder's pid, until the first goes.
    @Test func aSecondLockOnTheSameDirectoryIsRefusedNamingThePID() throws {
        let dir = NSTemporaryDirectory() + "castor-lock-test-\(UInt64.random(in: 0 ... .max))/state"
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        try FileManager.default.createDirectory(atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var first: StateDirectoryLock? = try StateDirectoryLock.acquire(stateDirectory: dir).get()
        #expect(first != nil)
        let pid = ProcessInfo.processInfo.processIdentifier
        switch StateDirectoryLock.acquire(stateDirectory: dir) {
        case .success: Issue.record("a second lock on one state directory was granted")
        case .failure(let f):
            #expect(f == .held(path: dir + "/castor.lock", pid: pid))
            #expect(f.description.contains("pid \(pid)"))
        }
        first = nil  // released with its file
        #expect(throws: Never.self) { try StateDirectoryLock.acquire(stateDirectory: dir).get() }
    }
}
