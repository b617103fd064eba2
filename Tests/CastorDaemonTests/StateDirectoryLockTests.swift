import CastorDaemon
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

    /// On a fresh machine the default state directory (`~/.local/state/castor`) has missing
    /// parents: `castor run` with no configuration exited 73 there.
    @Test func missingParentsAreCreatedPrivately() throws {
        let root = NSTemporaryDirectory() + "castor-lock-test-\(UInt64.random(in: 0 ... .max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = root + "/.local/state/castor"
        let lock = try StateDirectoryLock.acquire(stateDirectory: dir).get()
        #expect(FileManager.default.fileExists(atPath: dir + "/castor.lock"))
        let mode = try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        _ = lock
    }
}
