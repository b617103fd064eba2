import CCurl

extension Transfer {
    /// Whether any request byte may have reached the server.
    ///
    /// Primary witness: the debug callback's first HEADER_OUT/DATA_OUT (see
    /// `requestBytesWritten`). CURLINFO_REQUEST_SIZE, which libcurl bumps at the same
    /// place, is OR-ed in as a second witness; both can only err towards "true".
    var requestMayHaveBeenSent: Bool {
        if requestBytesWritten { return true }
        var size = 0
        let ok = (try? Curl.check("curl_easy_getinfo(REQUEST_SIZE)", errorBuffer: errorBuffer) {
            castor_curl_easy_getinfo_long(easy, CURLINFO_REQUEST_SIZE, &size)
        }) != nil
        return !ok || size > 0
    }

    /// Maps libcurl's final code for this transfer to a response or a typed error.
    func outcome(_ code: CURLcode) -> Result<HTTPResponse, HTTPError> {
        guard let failure = Curl.failure("curl_multi_socket_action", code, errorBuffer: errorBuffer) else {
            return response()
        }
        let sent = requestMayHaveBeenSent
        let detail = failure.message
        switch code {
        case CURLE_ABORTED_BY_CALLBACK where resendSuppressed:
            return .failure(.connectionLost(requestMayHaveBeenSent: true, detail:
                "the connection died after the request was sent; libcurl's automatic resend was refused because the request is not idempotent"))
        case CURLE_WRITE_ERROR where bodyTooLarge:
            return .failure(.responseTooLarge(limit: responseLimit))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timedOut(requestMayHaveBeenSent: sent, detail: detail))
        case _ where sent && Self.preSendCodes.contains(code):
            // A pre-send failure on libcurl's resend of an idempotent request whose first
            // attempt did go out: the first connection was lost.
            return .failure(.connectionLost(requestMayHaveBeenSent: true, detail: detail))
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .failure(.dnsFailure(detail: detail))
        case CURLE_COULDNT_CONNECT:
            return .failure(.connectFailed(detail: detail))
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS:
            return .failure(.tlsFailure(.certificateVerification, detail: detail))
        case CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CRL_BADFILE,
             CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED:
            return .failure(.tlsFailure(.localConfiguration, detail: detail))
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CIPHER:
            return .failure(.tlsFailure(.handshake, detail: detail))
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            return .failure(.connectionLost(requestMayHaveBeenSent: sent, detail: detail))
        case CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_BAD_CONTENT_ENCODING,
             CURLE_UNSUPPORTED_PROTOCOL:
            return .failure(.protocolError(requestMayHaveBeenSent: sent, detail: detail))
        case CURLE_URL_MALFORMAT:
            return .failure(.invalidURL(detail))
        default:
            return .failure(.internalFailure(call: failure.call, code: failure.code, detail: detail, requestMayHaveBeenSent: sent))
        }
    }

    /// Codes that, on a first attempt, mean nothing was sent.
    private static let preSendCodes: [CURLcode] = [
        CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT,
        CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CIPHER,
        CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
    ]

    private func response() -> Result<HTTPResponse, HTTPError> {
        var status = 0, connects = 0, version = 0
        var micros: curl_off_t = 0
        do {
            try Curl.check("curl_easy_getinfo(RESPONSE_CODE)", errorBuffer: errorBuffer) {
                castor_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            }
            try Curl.check("curl_easy_getinfo(NUM_CONNECTS)", errorBuffer: errorBuffer) {
                castor_curl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
            }
            try Curl.check("curl_easy_getinfo(HTTP_VERSION)", errorBuffer: errorBuffer) {
                castor_curl_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
            }
            try Curl.check("curl_easy_getinfo(TOTAL_TIME_T)", errorBuffer: errorBuffer) {
                castor_curl_easy_getinfo_off(easy, CURLINFO_TOTAL_TIME_T, &micros)
            }
        } catch {
            return .failure(.internalFailure(call: error.call, code: error.code, detail: error.message, requestMayHaveBeenSent: true))
        }
        let versionName = switch version {
        case Int(CURL_HTTP_VERSION_1_0): "1.0"
        case Int(CURL_HTTP_VERSION_1_1): "1.1"
        case Int(CURL_HTTP_VERSION_2_0): "2"
        case Int(CURL_HTTP_VERSION_3): "3"
        default: "unknown"
        }
        let metrics = HTTPResponse.Metrics(
            connectionReused: connects == 0, httpVersion: versionName, totalMicroseconds: Int(micros))
        return .success(HTTPResponse(status: status, headers: responseHeaders, body: responseBody, metrics: metrics))
    }
}
