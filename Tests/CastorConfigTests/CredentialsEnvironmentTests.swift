import Foundation
import Glibc
import Testing
@testable import CastorConfig

/// Issue 10 (risks): the secret leaves the environment once read; reloads do not need it there.
@Suite(.serialized) struct CredentialsEnvironmentTests {
    @Test func secretVariableIsWipedAndRemoved() throws {
        setenv("CASTOR_API_SECRET", "env-secret-value", 1)
        setenv("CASTOR_API_KEY", "account-envkey", 1)
        defer { unsetenv("CASTOR_API_KEY") }
        // The pointer getenv hands out is where the bytes live; after removal they are zero.
        let before = try #require(getenv("CASTOR_API_SECRET"))
        let length = strlen(before)
        #expect(CredentialsLoader.removeSecretsFromEnvironment() == ["CASTOR_API_SECRET"])
        #expect(getenv("CASTOR_API_SECRET") == nil)
        #expect(ProcessInfo.processInfo.environment["CASTOR_API_SECRET"] == nil)
        #expect((0..<length).allSatisfy { before[$0] == 0 })
        // The key name is not secret and stays.
        #expect(String(cString: getenv("CASTOR_API_KEY")) == "account-envkey")
        #expect(CredentialsLoader.removeSecretsFromEnvironment().isEmpty)
    }

    @Test func reloadUsesTheStartupCopyNotTheEnvironment() throws {
        let startup = try #require(try CredentialsLoader(environment: ["CASTOR_API_KEY": "account-abc", "CASTOR_API_SECRET": "s3cr3t"])
            .loadWithSource())
        #expect(startup.source == .environment)
        // After removal only the key name is left in the environment; a plain load would
        // call that incomplete, a reload uses the credentials read at start.
        let scrubbed = CredentialsLoader(environment: ["CASTOR_API_KEY": "account-abc"])
        #expect(throws: CredentialsError.incompleteEnvironment(missing: "CASTOR_API_SECRET")) { try scrubbed.load() }
        let reloaded = try #require(try scrubbed.reload(for: .production, fromEnvironment: startup.credentials))
        #expect(reloaded.key == "account-abc" && reloaded.secretLength == 6)
        #expect(throws: CredentialsError.required(venue: "production")) {
            try scrubbed.reload(for: .production, fromEnvironment: nil)
        }
        #expect(try scrubbed.reload(for: .simulator, fromEnvironment: nil) == nil)
    }

    @Test func reloadRereadsCredentialFiles() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("castor-creds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/creds", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (name, text) in [("castor-api-key", "account-file\n"), ("castor-api-secret", "filesecret\n")] {
            _ = FileManager.default.createFile(atPath: root + "/creds/" + name, contents: Data(text.utf8))
            chmod(root + "/creds/" + name, 0o600)
        }
        let loader = CredentialsLoader(environment: ["CREDENTIALS_DIRECTORY": "/creds"], fileSystemRoot: root)
        #expect(try loader.loadWithSource()?.source == .credentialsDirectory("/creds"))
        let fallback = try #require(try CredentialsLoader(environment: ["CASTOR_API_KEY": "account-old", "CASTOR_API_SECRET": "old"]).load())
        #expect(try loader.reload(for: .production, fromEnvironment: fallback)?.key == "account-file")
    }
}
