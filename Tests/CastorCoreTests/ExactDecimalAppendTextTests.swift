import Testing
@testable import CastorCore

/// `appendText` writes order payloads byte by byte; it must spell every value exactly as
/// `description` does, which the REST payloads and their signatures already rely on.
@Suite struct ExactDecimalAppendTextTests {
    private func text(_ value: ExactDecimal) -> String {
        var out: [UInt8] = Array("x".utf8)  // appends, never overwrites
        value.appendText(to: &out)
        return String(decoding: out.dropFirst(), as: UTF8.self)
    }

    @Test(arguments: ["0", "0.00", "-0.5", "0.00000001", "9122.04", "0.1921229751", "-123.456",
                      "18446744073709551615", "18446744073709551616", "-18446744073709551615",
                      "0.00000000000000000000000000000000000001", "170141183460469231731687303715884105727",
                      "1e-8", "100", "1.000", "-0.001"])
    func matchesDescription(_ literal: String) throws {
        let value = try #require(ExactDecimal(literal))
        #expect(text(value) == value.description)
    }

    @Test func matchesDescriptionOverRandomMantissasAndScales() {
        var rng = SplitMix64(seed: 0xA11)
        for _ in 0..<20_000 {
            let bits = rng.next()
            let magnitude = Int128(bits >> (rng.next() % 64))
            let mantissa = rng.next() & 1 == 0 ? magnitude : -magnitude
            let scale = UInt8(rng.next() % UInt64(ExactDecimal.maxScale + 1))
            let value = ExactDecimal(mantissa: mantissa, scale: scale)
            #expect(text(value) == value.description, "mantissa \(mantissa) scale \(scale)")
        }
    }
}
