import Foundation
import Glibc
import Testing
@testable import CastorConfig

/// A temporary root holding `/creds/castor-api-key` and `/creds/castor-api-secret`.
private final class CredentialRoot {
    let root: String

    init() {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("castor-creds-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: root + "/creds", withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String, mode: mode_t = 0o600) {
        let path = root + "/creds/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        chmod(path, mode)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }
}

@Suite struct CredentialsLoaderTests {
    @Test func noneConfiguredMeansSimulatorOnly() throws {
        let loader = CredentialsLoader(environment: [:])
        #expect(try loader.load() == nil)
        #expect(try loader.load(for: .simulator) == nil)
        #expect(throws: CredentialsError.required(venue: "production")) { try loader.load(for: .production) }
    }

    @Test func fromEnvironment() throws {
        let credentials = try #require(try CredentialsLoader(environment: ["CASTOR_API_KEY": "account-abc", "CASTOR_API_SECRET": "s3cr3t\n"]).load())
        #expect(credentials.key == "account-abc")
        #expect(credentials.secretLength == 6)
        #expect(throws: CredentialsError.incompleteEnvironment(missing: "CASTOR_API_SECRET")) {
            try CredentialsLoader(environment: ["CASTOR_API_KEY": "account-abc"]).load()
        }
    }

    @Test func fromSystemdCredentialFilesTrimmingNewlines() throws {
        let dir = CredentialRoot()
        dir.write("castor-api-key", "account-file\n", mode: 0o400)
        dir.write("castor-api-secret", "filesecret\r\n", mode: 0o600)
        let loader = CredentialsLoader(environment: ["CREDENTIALS_DIRECTORY": "/creds", "CASTOR_API_KEY": "account-env", "CASTOR_API_SECRET": "x"],
                                       fileSystemRoot: dir.root)
        let credentials = try #require(try loader.load())
        #expect(credentials.key == "account-file")
        #expect(credentials.secretLength == 10)
        #expect(!"\(credentials)".contains("filesecret"))
    }

    @Test func groupReadableSecretIsRefusedWithTheFix() {
        let dir = CredentialRoot()
        dir.write("castor-api-key", "account-file")
        dir.write("castor-api-secret", "filesecret", mode: 0o640)
        let loader = CredentialsLoader(environment: ["CREDENTIALS_DIRECTORY": "/creds"], fileSystemRoot: dir.root)
        do {
            _ = try loader.load()
            Issue.record("expected an error")
        } catch {
            #expect(error == .tooPermissive(path: dir.root + "/creds/castor-api-secret", mode: 0o640))
            #expect(error.description.contains("chmod 600 \(dir.root)/creds/castor-api-secret"))
        }
    }

    /// `deploy/install.sh` leaves both files empty so `LoadCredential=` finds them on a
    /// simulator-only install: that is "no credentials", not an error; one half empty is.
    @Test func twoEmptyPlaceholderFilesMeanNoCredentials() throws {
        let dir = CredentialRoot()
        dir.write("castor-api-key", "")
        dir.write("castor-api-secret", "\n")
        let loader = CredentialsLoader(environment: ["CREDENTIALS_DIRECTORY": "/creds"], fileSystemRoot: dir.root)
        #expect(try loader.load() == nil)
        #expect(try loader.load(for: .simulator) == nil)
        #expect(throws: CredentialsError.required(venue: "production")) { try loader.load(for: .production) }
        dir.write("castor-api-key", "account-file")
        #expect(throws: CredentialsError.self) { try loader.load() }
    }

    @Test func missingHalfAndEmptySecret() {
        let dir = CredentialRoot()
        dir.write("castor-api-key", "account-file")
        let loader = CredentialsLoader(environment: ["CREDENTIALS_DIRECTORY": "/creds"], fileSystemRoot: dir.root)
        #expect(throws: CredentialsError.missingFile(path: dir.root + "/creds/castor-api-secret")) { try loader.load() }
        dir.write("castor-api-secret", "\n")
        #expect(throws: CredentialsError.self) { try loader.load() }
    }
}
