import CastorSSL
import Testing

/// RFC 4231 §4 test vectors for HMAC-SHA-384 plus the edge cases Gemini signing can hit.
@Suite struct HMACSHA384Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: [UInt8]
        let message: [UInt8]
        let hex: String
        var testDescription: String { name }
    }

    static let rfc4231: [Vector] = [
        Vector(name: "RFC 4231 case 1", key: [UInt8](repeating: 0x0b, count: 20),
               message: Array("Hi There".utf8),
               hex: "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"),
        Vector(name: "RFC 4231 case 2", key: Array("Jefe".utf8),
               message: Array("what do ya want for nothing?".utf8),
               hex: "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"),
        Vector(name: "RFC 4231 case 3", key: [UInt8](repeating: 0xaa, count: 20),
               message: [UInt8](repeating: 0xdd, count: 50),
               hex: "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27"),
        Vector(name: "RFC 4231 case 4", key: Array(1...25),
               message: [UInt8](repeating: 0xcd, count: 50),
               hex: "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb"),
        Vector(name: "RFC 4231 case 6 (key longer than block)", key: [UInt8](repeating: 0xaa, count: 131),
               message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
               hex: "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952"),
        Vector(name: "empty key and message", key: [], message: [],
               hex: "6c1f2ee938fad2e24bd91298474382ca218c75db3d83e114b3d4367776d14d3551289e75e8209cd4b792302840234adc"),
    ]

    @Test(arguments: rfc4231)
    func hexDigestMatchesVector(_ vector: Vector) {
        #expect(HMACSHA384.hexDigest(key: vector.key, message: vector.message) == vector.hex)
    }

    @Test(arguments: rfc4231)
    func digestIs48BytesMatchingHex(_ vector: Vector) {
        let bytes = HMACSHA384.digest(key: vector.key, message: vector.message)
        #expect(bytes.count == HMACSHA384.digestLength)
        let hex = bytes.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined()
        #expect(hex == vector.hex)
    }

    @Test func acceptsNonContiguousAndRawBufferInputs() {
        let key = Array("Jefe".utf8)
        let expected = HMACSHA384.rfc4231Case2
        // String.UTF8View and a lazy map are not contiguous: exercise the copying path.
        let lazyMessage = "what do ya want for nothing?".utf8.lazy.map { $0 }
        #expect(HMACSHA384.hexDigest(key: key, message: lazyMessage) == expected)
        let message = Array("what do ya want for nothing?".utf8)
        let viaRaw = message.withUnsafeBytes { raw in
            key.withUnsafeBytes { rawKey in HMACSHA384.hexDigest(key: rawKey, message: raw) }
        }
        #expect(viaRaw == expected)
        #expect(HMACSHA384.hexDigest(key: key, message: message[...]) == expected)
    }

    @Test func hexIsLowerCaseAnd96Characters() {
        let hex = HMACSHA384.hexDigest(key: Array("k".utf8), message: Array("m".utf8))
        #expect(hex.utf8.count == 96)
        #expect(hex.allSatisfy { "0123456789abcdef".contains($0) })
    }
}

private extension HMACSHA384 {
    static let rfc4231Case2 =
        "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"
}

/// The prepared-key form must agree with the one-shot form and the RFC vectors, also when
/// one key signs many messages in a row (the context is re-initialised, not re-keyed).
@Suite struct HMACSHA384KeyTests {
    @Test(arguments: HMACSHA384Tests.rfc4231)
    func matchesVector(_ vector: HMACSHA384Tests.Vector) {
        let key = HMACSHA384Key(key: vector.key)
        #expect(key.hexDigest(message: vector.message) == vector.hex)
        #expect(key.hexDigest(message: vector.message) == vector.hex, "second use of the same prepared key")
        #expect(key.digest(message: vector.message).count == HMACSHA384.digestLength)
    }

    @Test func manyMessagesAgreeWithOneShot() {
        let secret = Array("d7CBvRdRa2DE8XjXwB6rWuXbcWx2".utf8)
        let key = HMACSHA384Key(key: secret)
        for n in 0..<200 {
            let message = Array("eyJyZXF1ZXN0IjoiL3YxL29yZGVyL25ldyIsIm5vbmNlIjo\(n)".utf8)
            #expect(key.hexDigest(message: message) == HMACSHA384.hexDigest(key: secret, message: message))
        }
    }

    @Test func concurrentUseIsSafe() async {
        let key = HMACSHA384Key(key: Array("Jefe".utf8))
        let message = Array("what do ya want for nothing?".utf8)
        let results = await withTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { key.hexDigest(message: message) } }
            return await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(results == [HMACSHA384.rfc4231Case2])
    }
}
