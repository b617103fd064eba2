import Foundation
import Testing
@testable import CastorCore

@Suite struct ExactDecimalTests {
    @Test(arguments: ["0", "3633.00", "-0.5", "0.00000001", "9122.04", "0.1921229751",
                      "2135477.463379586263", "3632.8508430064554", "73751560172006688",
                      "0.0000000000000000001", "12345678901234567890123456789012345678"])
    func stringRoundTripIsExact(_ text: String) throws {
        let value = try #require(ExactDecimal(text))
        #expect(value.description == text)
    }

    @Test func exponentFormsBecomePlain() {
        #expect(ExactDecimal("1e-8")?.description == "0.00000001")
        #expect(ExactDecimal("1E-8")?.description == "0.00000001")
        #expect(ExactDecimal("2.5e3")?.description == "2500")
        #expect(ExactDecimal("2.5E+1")?.description == "25")
        #expect(ExactDecimal("0.01")?.description == "0.01")
    }

    @Test(arguments: ["", "-", "+1", ".5", "1.", "1e", "1e+", "NaN", "inf", " 1", "1 ", "1,5", "0x10", "1.2.3",
                      "1234567890123456789012345678901234567890"])
    func rejectsMalformed(_ text: String) {
        #expect(ExactDecimal(text) == nil)
    }

    @Test func equalityAndOrderingAreByValue() throws {
        let a = try #require(ExactDecimal("3633.00"))
        let b = try #require(ExactDecimal("3633"))
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(ExactDecimal("0.1")! < ExactDecimal("0.10000001")!)
        #expect(ExactDecimal("-1")! < ExactDecimal("-0.999")!)
        #expect(ExactDecimal("100")! > ExactDecimal("99.99999999999999999999999999999999")!)
        #expect(Set([a, b]).count == 1)
    }

    @Test func comparesWhenAligningOverflows() throws {
        let huge = try #require(ExactDecimal("12345678901234567890123456789012345678"))
        let tiny = try #require(ExactDecimal("0.00000000000000000000000000000000000001"))
        #expect(tiny < huge)
        #expect(-huge < tiny)
        #expect(!(huge < tiny))
    }

    @Test func arithmeticIsExact() {
        #expect((ExactDecimal("0.1")! + ExactDecimal("0.2")!).description == "0.3")
        #expect((ExactDecimal("1.00")! - ExactDecimal("0.001")!).description == "0.999")
        #expect((ExactDecimal("3633.00")! * ExactDecimal("0.001")!).description == "3.63300")
        #expect((-ExactDecimal("2.5")!).description == "-2.5")
        #expect(ExactDecimal("1.500")!.normalized.description == "1.5")
    }

    @Test func overflowIsReportedNotWrapped() throws {
        let big = try #require(ExactDecimal("99999999999999999999999999999999999999"))
        #expect(big.addingReportingOverflow(big) == nil)
        #expect(big.multipliedReportingOverflow(by: ExactDecimal(10)) == nil)
    }

    /// Network-derived values reach `-` and `+` through the reporting forms: none of them
    /// may trap, nor hand back a mantissa of `Int128.min` (whose negation traps later).
    @Test func reportingFormsRefuseInsteadOfTrapping() throws {
        let max = ExactDecimal(mantissa: .max, scale: 0)
        let negMax = ExactDecimal(mantissa: -.max, scale: 0)
        let min = ExactDecimal(mantissa: .min, scale: 0)
        #expect(negMax.addingReportingOverflow(ExactDecimal(-1)) == nil)
        #expect(negMax.subtractingReportingOverflow(ExactDecimal(1)) == nil)
        #expect(ExactDecimal(0).subtractingReportingOverflow(min) == nil)
        #expect(max.subtractingReportingOverflow(negMax) == nil)
        #expect(min.negatedReportingOverflow == nil)
        #expect(ExactDecimal(mantissa: .min / 2, scale: 0).multipliedReportingOverflow(by: ExactDecimal(2)) == nil)
        // Aligning scales overflows: 10^37 at scale 0 against a value at scale 2.
        let big = try #require(ExactDecimal("10000000000000000000000000000000000000"))
        #expect(big.subtractingReportingOverflow(try #require(ExactDecimal("0.01"))) == nil)
        // Ordinary values still work.
        #expect(ExactDecimal("3.5")!.subtractingReportingOverflow(ExactDecimal("1.25")!)?.description == "2.25")
        #expect(ExactDecimal("2")!.negatedReportingOverflow?.description == "-2")
    }

    @Test func quantizesToStep() throws {
        let tick = try #require(ExactDecimal("0.01"))
        let p = try #require(ExactDecimal("25000.016"))
        #expect(p.quantized(toStep: tick, rule: .down)?.description == "25000.010")
        #expect(p.quantized(toStep: tick, rule: .up)?.description == "25000.020")
        #expect(p.quantized(toStep: tick, rule: .nearest)?.description == "25000.020")
        #expect((-p).quantized(toStep: tick, rule: .towardZero)?.description == "-25000.010")
        #expect((-p).quantized(toStep: tick, rule: .down)?.description == "-25000.020")
        #expect(ExactDecimal("0.0008535960807300151")!.quantized(toStep: ExactDecimal("1e-8")!, rule: .towardZero)?.normalized.description == "0.00085359")
        #expect(ExactDecimal("25000.01")!.isMultiple(of: tick))
        #expect(!ExactDecimal("25000.015")!.isMultiple(of: tick))
        #expect(p.quantized(toStep: .zero, rule: .down) == nil)
    }

    @Test func decodesJSONStringsAndNumbersExactly() throws {
        struct Details: Decodable { let tick_size: ExactDecimal; let quote_increment: ExactDecimal; let min_order_size: ExactDecimal }
        let json = #"{"tick_size": 1e-8, "quote_increment": 0.01, "min_order_size": "0.00001"}"#
        let d = try JSONDecoder().decode(Details.self, from: Data(json.utf8))
        #expect(d.tick_size.description == "0.00000001")
        #expect(d.quote_increment.description == "0.01")
        #expect(d.min_order_size.description == "0.00001")
        let candles = try JSONDecoder().decode([ExactDecimal].self, from: Data("[7781.6, 34.7624802159, 1E-8, 9355.51]".utf8))
        #expect(candles.map(\.description) == ["7781.6", "34.7624802159", "0.00000001", "9355.51"])
    }

    @Test func rejectsBadJSONDecimalString() {
        struct S: Decodable { let price: ExactDecimal }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(S.self, from: Data(#"{"price":"12.3.4"}"#.utf8)) }
    }
}
