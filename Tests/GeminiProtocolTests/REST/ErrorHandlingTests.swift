import CastorCore
import Foundation
import GeminiProtocol
import Testing

@Suite struct ErrorHandlingTests {
    @Test func jsonErrorBodyWithStatus() throws {
        let body = #"{"result":"error","reason":"InsufficientFunds","message":"Failed to place buy order on symbol 'HYPEUSDC'"}"#
        let result = try GeminiRESTDecoder.decode(OrderStatus.self, from: Data(body.utf8), httpStatus: 406)
        guard case .failure(let error) = result else { Issue.record("expected failure"); return }
        #expect(error.reason == .insufficientFunds)
        #expect(error.message?.hasPrefix("Failed to place") == true)
        #expect(error.classification(httpStatus: 406) == .reject)
    }

    @Test func errorBodyOnA200IsStillAnError() throws {
        let result = try GeminiRESTDecoder.decode([Balance].self, from: Array(#"{"result":"error","reason":"InvalidNonce","message":"Nonce '1' has not increased"}"#.utf8))
        guard case .failure(let error) = result else { Issue.record("expected failure"); return }
        #expect(error.classification() == .retryWithNewNonce)
        #expect {
            _ = try GeminiRESTDecoder.decode([Balance].self, from: Data(#"{"result":"error"}"#.utf8))
        } throws: { error in
            let error = error as! GeminiDecodingError
            return error.messageType == "error" && error.field == "reason" && error.problem == .missingField
        }
    }

    @Test func nonJSONOutagePagesAreClassified() throws {
        let maintenance = "<html><body><h1>The Gemini Exchange is currently undergoing maintenance.</h1></body></html>"
        let m = try #require(GeminiErrorBody.classify(body: Data(maintenance.utf8)))
        #expect(m.reason == .maintenance)
        #expect(m.classification(httpStatus: 503) == .halt)

        let technical = "We are investigating technical issues with the Gemini Exchange. Please check back."
        #expect(GeminiErrorBody.classify(body: Data(technical.utf8))?.reason == .system)
        let ise = try GeminiRESTDecoder.decode(ResultOK.self, from: Data("Internal Server Error".utf8), httpStatus: 500)
        guard case .failure(let error) = ise else { Issue.record("expected failure"); return }
        #expect(error.reason == .system)
        #expect(error.classification(httpStatus: 500) == .retryIdempotentOnly)

        #expect(GeminiErrorBody.classify(body: Data(#"{"result":"ok"}"#.utf8)) == nil)
    }

    @Test func unrecognisedErrorPageFallsBackToStatus() throws {
        let result = try GeminiRESTDecoder.decode(ResultOK.self, from: Data("<html>429 Too Many Requests</html>".utf8), httpStatus: 429)
        guard case .failure(let error) = result else { Issue.record("expected failure"); return }
        #expect(error.reason.rawValue == "HTTP429")
        #expect(!error.reason.isKnown)
        #expect(error.classification(httpStatus: 429) == .backOff)
    }

    @Test func classificationFollowsTheSuggestedMapping() {
        #expect(GeminiErrorClassification(reason: .invalidNonce, httpStatus: 400) == .retryWithNewNonce)
        #expect(GeminiErrorClassification(reason: .invalidSignature, httpStatus: 400) == .fatalConfiguration)
        #expect(GeminiErrorClassification(reason: .missingRole, httpStatus: 403) == .fatalConfiguration)
        #expect(GeminiErrorClassification(reason: .missingApikeyHeader, httpStatus: 400) == .fatalConfiguration)
        #expect(GeminiErrorClassification(reason: .orderNotFound, httpStatus: 404) == .orderNotFound)
        #expect(GeminiErrorClassification(reason: .insufficientFunds, httpStatus: 406) == .reject)
        #expect(GeminiErrorClassification(reason: .rateLimit, httpStatus: 429) == .backOff)
        #expect(GeminiErrorClassification(reason: .system, httpStatus: 502) == .retryIdempotentOnly)
        #expect(GeminiErrorClassification(reason: .maintenance, httpStatus: 503) == .halt)
        // Unknown reasons fall back to the status.
        let novel = GeminiReason("SomethingNew")
        #expect(GeminiErrorClassification(reason: novel, httpStatus: 429) == .backOff)
        #expect(GeminiErrorClassification(reason: novel, httpStatus: 503) == .halt)
        #expect(GeminiErrorClassification(reason: novel, httpStatus: 502) == .retryIdempotentOnly)
        #expect(GeminiErrorClassification(reason: novel, httpStatus: 404) == .orderNotFound)
        #expect(GeminiErrorClassification(reason: novel, httpStatus: 400) == .reject)
        #expect(GeminiErrorClassification(reason: nil, httpStatus: nil) == .reject)
    }

    @Test func everyKnownReasonHasAClassification() {
        // The table must not silently drop a documented code to the status fallback:
        // with no status, only codes the table maps differently from `.reject` are visible,
        // so check that each code maps the same with and without an unrelated status.
        for reason in GeminiReason.known {
            #expect(GeminiErrorClassification(reason: reason, httpStatus: 418)
                == GeminiErrorClassification(reason: reason, httpStatus: 503), "\(reason)")
        }
    }

    @Test func reasonsRoundTripAndStayOpenEnded() throws {
        let decoded = try JSONDecoder().decode([GeminiReason].self, from: Data(#"["InvalidNonce","Bad Request","TotallyNew"]"#.utf8))
        #expect(decoded == [.invalidNonce, .badRequest, GeminiReason("TotallyNew")])
        #expect(decoded.map(\.isKnown) == [true, true, false])
        let encoded = try JSONEncoder().encode(decoded)
        #expect(String(decoding: encoded, as: UTF8.self) == #"["InvalidNonce","Bad Request","TotallyNew"]"#)
    }
}
