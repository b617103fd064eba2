import CastorStrategy
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 10 (risks): a plug-in that another user could have written is refused before
/// `dlopen` runs any of its code.
@Suite(.serialized) struct PluginPermissionTests {
    /// A fresh 0700 directory holding `libfake.so`: an ELF magic and nothing else, so it
    /// passes the header check and `dlopen` fails on it (proof the ownership check let it by).
    private static func fakeLibrary() throws -> (directory: String, file: String) {
        var template = Array((FileManager.default.temporaryDirectory.path + "/castor-perm-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        let directory = String(cString: made)
        let file = directory + "/libfake.so"
        try Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]).write(to: URL(fileURLWithPath: file))
        chmod(file, 0o644)
        chmod(directory, 0o700)
        return (directory, file)
    }

    private static func cleanUp(_ directory: String) { try? FileManager.default.removeItem(atPath: directory) }

    @Test func safeFileGetsPastTheCheck() throws {
        let (directory, file) = try Self.fakeLibrary()
        defer { Self.cleanUp(directory) }
        #expect {
            _ = try PluginLoader.load(path: file)
        } throws: { error in
            guard case .openFailed(let path, _)? = error as? PluginLoadError else { return false }
            return path == file
        }
    }

    @Test(arguments: [0o664, 0o646, 0o666, 0o777])
    func writableFileIsRefused(mode: Int) throws {
        let (directory, file) = try Self.fakeLibrary()
        defer { Self.cleanUp(directory) }
        chmod(file, mode_t(mode))
        let expected = PluginLoadError.unsafePermissions(path: file, item: .file, mode: UInt32(mode), ownerUID: UInt32(geteuid()), plugin: file)
        #expect(throws: expected) { try PluginLoader.load(path: file) }
        let message = expected.description
        #expect(message.contains(file) && message.contains(String(mode, radix: 8)) && message.contains("not loaded"))
    }

    @Test(arguments: [0o770, 0o707, 0o1777])
    func writableDirectoryIsRefused(mode: Int) throws {
        let (directory, file) = try Self.fakeLibrary()
        defer { Self.cleanUp(directory) }
        chmod(directory, mode_t(mode))
        #expect(throws: PluginLoadError.unsafePermissions(path: directory, item: .directory, mode: UInt32(mode),
                                                          ownerUID: UInt32(geteuid()), plugin: file)) {
            try PluginLoader.load(path: file)
        }
    }

    @Test func symlinkIsJudgedByItsTarget() throws {
        let (safe, _) = try Self.fakeLibrary()
        let (unsafe, target) = try Self.fakeLibrary()
        defer { Self.cleanUp(safe); Self.cleanUp(unsafe) }
        chmod(unsafe, 0o777)
        let link = safe + "/liblink.so"
        #expect(symlink(target, link) == 0)
        #expect(throws: PluginLoadError.unsafePermissions(path: unsafe, item: .directory, mode: 0o777,
                                                          ownerUID: UInt32(geteuid()), plugin: link)) {
            try PluginLoader.load(path: link)
        }
    }

    /// Needs root to hand the file to another user.
    @Test(.enabled(if: geteuid() == 0)) func fileOwnedBySomeoneElseIsRefused() throws {
        let (directory, file) = try Self.fakeLibrary()
        defer { Self.cleanUp(directory) }
        #expect(chown(file, 65534, 65534) == 0)
        #expect(throws: PluginLoadError.untrustedOwner(path: file, item: .file, mode: 0o644, ownerUID: 65534, plugin: file)) {
            try PluginLoader.load(path: file)
        }
        #expect(chown(file, 0, 0) == 0)
        #expect(chown(directory, 65534, 65534) == 0)
        #expect(throws: PluginLoadError.untrustedOwner(path: directory, item: .directory, mode: 0o700, ownerUID: 65534, plugin: file)) {
            try PluginLoader.load(path: file)
        }
        let message = PluginLoadError.untrustedOwner(path: directory, item: .directory, mode: 0o700, ownerUID: 65534, plugin: file).description
        #expect(message.contains(directory) && message.contains("700") && message.contains("65534"))
    }
}
