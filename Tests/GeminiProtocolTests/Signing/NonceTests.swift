import GeminiProtocol
import Testing

@Suite struct NonceTests {
    @Test(arguments: [
        (Int64(1_712_045_678_005), "1712045678.005"),
        (1_712_045_678_050, "1712045678.050"),
        (1_712_045_678_123, "1712045678.123"),
        (1_712_045_678_000, "1712045678.000"),
        (999, "0.999"),
        (0, "0.000"),
    ])
    func secondsWithMillisKeepsThreeFractionDigits(milliseconds: Int64, expected: String) {
        let nonce = Nonce(milliseconds: milliseconds)
        #expect(nonce.text(.secondsWithMillis) == expected)
        #expect(nonce.json(.secondsWithMillis) == "\"\(expected)\"")
        #expect(nonce.description == expected)
    }

    @Test func millisecondsAndSecondsAreBareIntegers() {
        let nonce = Nonce(milliseconds: 1_712_045_678_999)
        #expect(nonce.json(.milliseconds) == "1712045678999")
        #expect(nonce.json(.seconds) == "1712045678")
        #expect(Nonce(seconds: 1_712_045_679).json(.seconds) == "1712045679")
    }

    @Test func orderingFollowsMilliseconds() {
        #expect(Nonce(milliseconds: 1) < Nonce(milliseconds: 2))
        #expect(Nonce(seconds: 1) == Nonce(milliseconds: 1_000))
    }

    @Test func granularity() {
        #expect(NonceFormat.secondsWithMillis.granularityMilliseconds == 1)
        #expect(NonceFormat.milliseconds.granularityMilliseconds == 1)
        #expect(NonceFormat.seconds.granularityMilliseconds == 1_000)
    }
}
