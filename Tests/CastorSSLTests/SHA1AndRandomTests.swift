import CastorSSL
import Testing

@Suite struct SHA1AndRandomTests {
    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test func sha1KnownVectors() {
        // FIPS 180 test vectors.
        #expect(hex(SHA1.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }

    @Test func randomBytesHaveRequestedLengthAndDiffer() throws {
        let a = try SecureRandom.bytes(count: 32)
        let b = try SecureRandom.bytes(count: 32)
        #expect(a.count == 32)
        // Two equal 256-bit draws would mean the generator is broken.
        #expect(a != b)
        #expect(try SecureRandom.bytes(count: 0).isEmpty)
    }

    @Test func contextLoadsSystemStoreAndRejectsMissingCAFile() throws {
        _ = try TLSClientContext()
        #expect(throws: TLSError.self) {
            _ = try TLSClientContext(additionalTrustedCAFile: "/nonexistent/ca.pem")
        }
    }
}
