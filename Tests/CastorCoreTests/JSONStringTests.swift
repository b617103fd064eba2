import Testing
@testable import CastorCore

@Suite struct JSONStringTests {
    private func bytes(_ text: String, escapingDelete: Bool = false) -> String {
        var out: [UInt8] = []
        JSONString.append(text, to: &out, escapingDelete: escapingDelete)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func plainTextIsQuotedUnchanged() {
        #expect(JSONString.quoted("btcusd") == #""btcusd""#)
        #expect(JSONString.quoted("") == #""""#)
        #expect(JSONString.quoted("/v1/order/new") == #""/v1/order/new""#)
    }

    @Test func quotesAndBackslashesAreEscaped() {
        #expect(JSONString.quoted(#"a"b"#) == #""a\"b""#)
        #expect(JSONString.quoted(#"a\b"#) == #""a\\b""#)
        #expect(JSONString.quoted(#"\""#) == #""\\\"""#)
    }

    @Test func controlCharactersAreEscaped() {
        #expect(JSONString.quoted("a\nb\rc\td") == #""a\nb\rc\td""#)
        #expect(JSONString.quoted("\u{08}\u{0C}") == #""\b\f""#)
        #expect(JSONString.quoted("\u{00}\u{01}\u{1F}") == #""\u0000\u0001\u001f""#)
    }

    @Test func deleteIsEscapedOnlyWhenAsked() {
        #expect(bytes("\u{7F}") == "\"\u{7F}\"")
        #expect(bytes("\u{7F}", escapingDelete: true) == #""\u007f""#)
    }

    @Test func nonASCIIIsWrittenAsUTF8() {
        #expect(JSONString.quoted("€ é 日本 🚀") == "\"€ é 日本 🚀\"")
        #expect(Array(JSONString.quoted("é").utf8) == [0x22, 0xC3, 0xA9, 0x22])
        #expect(JSONString.quoted("\u{2028}") == "\"\u{2028}\"")
    }

    @Test func stringAndByteFormsAgree() {
        let text = "x\"\\\n\u{01}é"
        var s = ""
        JSONString.append(text, to: &s)
        #expect(s == bytes(text))
        #expect(s == JSONString.quoted(text))
    }
}

@Suite struct DurationMillisecondsTests {
    @Test func wholeAndFractionalMilliseconds() {
        #expect(Duration.seconds(15).milliseconds == 15_000)
        #expect(Duration.milliseconds(250).milliseconds == 250)
        #expect(Duration.microseconds(1_999).milliseconds == 1)
        #expect(Duration.nanoseconds(999_999).milliseconds == 0)
        #expect(Duration.zero.milliseconds == 0)
    }

    @Test func roundTripsStandardLibraryConstructor() {
        for ms: Int64 in [0, 1, 999, 1_000, 86_400_000, 9_223_372_036_854] {
            #expect(Duration.milliseconds(ms).milliseconds == ms)
        }
    }

    @Test func overflowSaturates() {
        let huge = Duration.seconds(Int64.max)
        #expect(huge.milliseconds == Int64.max)
        #expect(Duration.seconds(Int64.min).milliseconds == Int64.min)
        #expect(Duration.seconds(Int64.max / 1000 + 1).milliseconds == Int64.max)
    }
}
