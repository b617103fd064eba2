import Testing
@testable import CastorLog

/// `LogRedaction.isSecret` matches ASCII keys byte by byte; it must say exactly what
/// lowercasing the key and testing the suffixes says, for any key.
@Suite struct LogRedactionTests {
    static func reference(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return LogRedaction.secretNames.contains { lowered.hasSuffix($0) }
    }

    @Test func knownKeys() {
        for key in ["secret", "api_secret", "apiSecret", "X-GEMINI-SIGNATURE", "payload", "password", "session_token",
                    "Authorization", "TOKEN", "to\u{212A}en", "SECRE\u{212A}"] {
            #expect(LogRedaction.isSecret(key) == Self.reference(key), "\(key)")
        }
        #expect(LogRedaction.isSecret("to\u{212A}en"))  // the Kelvin sign lowercases to k
        for key in ["key", "client_order_id", "symbol", "event", "secrets", "tokens", "", "t", "ökén"] {
            #expect(!LogRedaction.isSecret(key), "\(key)")
        }
    }

    /// Seeded random keys built from the secret names' letters in both cases, separators and
    /// a few non-ASCII letters: the fast path and the reference agree on every one.
    @Test func randomKeysAgreeWithTheReference() {
        let pieces = ["secret", "SECRET", "Signature", "payLoad", "passWORD", "token", "Authorization",
                      "_", "-", "x", "K", "\u{212A}", "İ", "ß", "é", "3"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<20_000 {
            var key = ""
            for _ in 0..<(next() % 5) { key += pieces[next() % pieces.count] }
            if next() % 3 == 0, !key.isEmpty { key.removeLast() }
            #expect(LogRedaction.isSecret(key) == Self.reference(key), "\(key.debugDescription)")
        }
    }
}
