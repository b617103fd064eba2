import GeminiProtocol
import Testing

@Suite struct GeminiPayloadTests {
    let nonce = Nonce(milliseconds: 1_712_045_678_123)

    @Test func requestAndNonceComeFirstThenFieldsInGivenOrder() {
        var payload = GeminiPayload(path: "/v1/order/cancel", nonce: nonce, fields: [("z", 1)])
        payload.append("a", .bool(true))
        payload.append("m", .bool(false))
        #expect(payload.json == #"{"request":"/v1/order/cancel","nonce":"1712045678.123","z":1,"a":true,"m":false}"#)
    }

    @Test func eachNonceFormatIsWrittenAsItsJSONType() {
        let base = #"{"request":"/v1/balances","nonce":"#
        #expect(GeminiPayload(path: "/v1/balances", nonce: nonce, nonceFormat: .secondsWithMillis).json == base + #""1712045678.123"}"#)
        #expect(GeminiPayload(path: "/v1/balances", nonce: nonce, nonceFormat: .milliseconds).json == base + "1712045678123}")
        #expect(GeminiPayload(path: "/v1/balances", nonce: nonce, nonceFormat: .seconds).json == base + "1712045678}")
    }

    @Test func arraysIntegersAndNegativeNumbers() {
        let payload = GeminiPayload(path: "/p", nonce: nonce, nonceFormat: .milliseconds, fields: [
            ("ids", .integerArray([1, -2, Int64.max])),
            ("none", .stringArray([])),
            ("opts", .stringArray(["a", "b"])),
            ("n", .integer(Int64.min)),
        ])
        #expect(payload.json ==
            #"{"request":"/p","nonce":1712045678123,"ids":[1,-2,9223372036854775807],"none":[],"opts":["a","b"],"n":-9223372036854775808}"#)
    }

    @Test func stringsAreEscapedPerRFC8259() {
        let payload = GeminiPayload(path: "/v1/x", nonce: nonce, nonceFormat: .seconds, fields: [
            ("q\"uote", .string("back\\slash \"quoted\" /slash")),
            ("ctl", .string("a\nb\rc\td\u{08}e\u{0C}f\u{01}g\u{1F}")),
            ("utf8", .string("café €")),
        ])
        #expect(payload.json ==
            #"{"request":"/v1/x","nonce":1712045678,"q\"uote":"back\\slash \"quoted\" /slash","ctl":"a\nb\rc\td\be\ff\u0001g\u001f","utf8":"café €"}"#)
    }

    @Test func bytesMatchTheTextForm() {
        let payload = GeminiPayload(path: "/v1/heartbeat", nonce: nonce)
        #expect(payload.jsonBytes == Array(payload.json.utf8))
        #expect(payload.description == payload.json)
    }
}
