import CCurl
import CastorSSL

/// A libcurl call that failed: which call, libcurl's numeric code and its own words.
struct CurlFailure: Error, Sendable {
    let call: String
    let code: Int
    let message: String
}

/// The one door to libcurl status codes.
///
/// Every curl call whose status matters goes through `check`, so the code and the
/// message (the per-handle error buffer when there is one, which says far more than
/// `curl_easy_strerror`) are captured together, at the call site, before anything else
/// can overwrite the buffer.
enum Curl {
    /// Size libcurl requires for CURLOPT_ERRORBUFFER.
    static let errorBufferSize = Int(CURL_ERROR_SIZE)

    // The call's name is an autoclosure: it is only formatted when the call failed. Built
    // eagerly it cost ~2,000 instructions per option, ~40,000 per request.
    static func check(
        _ call: @autoclosure () -> String, errorBuffer: UnsafeMutablePointer<CChar>? = nil, _ body: () -> CURLcode
    ) throws(CurlFailure) {
        let code = body()
        guard code != CURLE_OK else { return }
        if let failure = failure(call(), code, errorBuffer: errorBuffer) { throw failure }
    }

    static func check(_ call: @autoclosure () -> String, _ body: () -> CURLMcode) throws(CurlFailure) {
        let code = body()
        guard code != CURLM_OK else { return }
        throw CurlFailure(call: call(), code: Int(code.rawValue), message: String(cString: curl_multi_strerror(code)))
    }

    static func check(_ call: @autoclosure () -> String, _ body: () -> CURLUcode) throws(CurlFailure) {
        let code = body()
        guard code != CURLUE_OK else { return }
        throw CurlFailure(call: call(), code: Int(code.rawValue), message: String(cString: curl_url_strerror(code)))
    }

    /// Turns a finished transfer's code into a failure, preferring the error buffer's text.
    static func failure(
        _ call: String, _ code: CURLcode, errorBuffer: UnsafeMutablePointer<CChar>?
    ) -> CurlFailure? {
        guard code != CURLE_OK else { return nil }
        var message = ""
        if let errorBuffer, errorBuffer.pointee != 0 { message = String(cString: errorBuffer) }
        if message.isEmpty { message = String(cString: curl_easy_strerror(code)) }
        return CurlFailure(call: call, code: Int(code.rawValue), message: message)
    }

    /// `curl_global_init` exactly once per process, after OpenSSL's own initialisation
    /// (libcurl links the same OpenSSL; see `OpenSSLLibrary`). nil on success.
    static let globalInit: CurlFailure? = {
        OpenSSLLibrary.initialize()
        return failure("curl_global_init", curl_global_init(Int(CURL_GLOBAL_ALL)), errorBuffer: nil)
    }()
}

extension Duration {
    /// Whole milliseconds, rounded up so a tiny positive timeout never becomes 0 (= none).
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(max(ms, 1))
    }
}
