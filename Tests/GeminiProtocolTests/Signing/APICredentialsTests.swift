import GeminiProtocol
import Testing

@Suite struct APICredentialsTests {
    static let secret = "SUPERSECRETvalue0123456789xyz"

    @Test func secretNeverAppearsInAnyPrintedForm() throws {
        let credentials = try APICredentials(key: "account-abc", secret: Self.secret)
        let signer = GeminiSigner(credentials: credentials)
        let signed = signer.signedHeaders(path: "/v1/heartbeat", nonce: Nonce(seconds: 1))
        var dumped = ""
        dump(credentials, to: &dumped)
        var dumpedSigner = ""
        dump(signer, to: &dumpedSigner)
        var dumpedSigned = ""
        dump(signed, to: &dumpedSigned)
        let renderings = [
            credentials.description, credentials.debugDescription,
            String(describing: credentials), String(reflecting: credentials), "\(credentials)",
            dumped, dumpedSigner, dumpedSigned,
            signer.description, String(reflecting: signer), signed.description, String(reflecting: signed),
        ]
        for text in renderings {
            #expect(!text.contains(Self.secret), "secret leaked in: \(text)")
            #expect(!text.contains("SUPERSECRET"))
        }
        #expect(credentials.description == "APICredentials(key: account-abc, secret: <redacted>)")
        #expect(dumped.contains("account-abc"))
    }

    @Test func mirrorExposesOnlyTheKey() throws {
        let credentials = try APICredentials(key: "account-abc", secret: Self.secret)
        let children = Mirror(reflecting: credentials).children.map { "\($0.label ?? ""): \($0.value)" }
        #expect(children == ["key: account-abc", "secret: <redacted>"])
    }

    @Test func byteAndStringSecretsSignIdentically() throws {
        let fromString = try APICredentials(key: "k", secret: "1234abcd")
        let fromBytes = try APICredentials(key: "k", secret: Array("1234abcd".utf8))
        let nonce = Nonce(seconds: 5)
        #expect(GeminiSigner(credentials: fromString).signedHeaders(path: "/v1/x", nonce: nonce).signature
            == GeminiSigner(credentials: fromBytes).signedHeaders(path: "/v1/x", nonce: nonce).signature)
        #expect(fromBytes.secretLength == 8)
    }

    @Test func emptyKeyIsRejected() {
        #expect(throws: APICredentialsError.emptyKey) { try APICredentials(key: "", secret: "s") }
        #expect(APICredentialsError.emptyKey.description.contains("key is empty"))
    }

    @Test func emptySecretIsRejectedNamingTheKey() {
        #expect(throws: APICredentialsError.emptySecret(key: "account-abc")) {
            try APICredentials(key: "account-abc", secret: [UInt8]())
        }
        #expect(APICredentialsError.emptySecret(key: "account-abc").description.contains("account-abc"))
    }
}
