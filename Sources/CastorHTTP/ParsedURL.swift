import CCurl
import Glibc

/// A URL parsed by libcurl's own parser, checked against the plaintext policy.
///
/// The same parsed handle is given to the easy handle (CURLOPT_CURLU), so the host we
/// checked is exactly the host libcurl connects to: no second parser to disagree with.
/// Owned by one `Transfer`; freed after its easy handle is cleaned up.
final class ParsedURL {
    let handle: OpaquePointer
    let scheme: String
    let host: String

    /// Parses and applies the policy: http or https only, and `http` only to loopback
    /// (127.0.0.0/8, ::1, localhost, which libcurl resolves itself without DNS).
    init(_ string: String) throws(HTTPError) {
        guard let handle = curl_url() else {
            throw .internalFailure(call: "curl_url", code: 0, detail: "out of memory", requestMayHaveBeenSent: false)
        }
        let scheme: String, host: String
        do {
            try Curl.check("curl_url_set") { curl_url_set(handle, CURLUPART_URL, string, 0) }
            scheme = try Self.part(handle, CURLUPART_SCHEME).lowercased()
            host = try Self.part(handle, CURLUPART_HOST)
        } catch {
            curl_url_cleanup(handle)
            throw .invalidURL("\(string): \(error.message)")
        }
        // Decided before any stored property is set, so a refusal cleans up here and
        // deinit (which would free the handle again) never runs.
        let refusal: HTTPError? = switch scheme {
        case "https": nil
        case "http": Self.isLoopback(host) ? nil : .plaintextToNonLoopback(host: host)
        default: .invalidURL("\(string): scheme \(scheme) is not http or https")
        }
        if let refusal {
            curl_url_cleanup(handle)
            throw refusal
        }
        self.handle = handle
        self.scheme = scheme
        self.host = host
    }

    deinit {
        curl_url_cleanup(handle)
    }

    private static func part(_ handle: OpaquePointer, _ which: CURLUPart) throws(CurlFailure) -> String {
        var value: UnsafeMutablePointer<CChar>?
        try Curl.check("curl_url_get") { curl_url_get(handle, which, &value, 0) }
        defer { curl_free(value) }
        return value.map { String(cString: $0) } ?? ""
    }

    /// libcurl normalises IPv4 forms ("127.1", "0x7f.1") to dotted quads and keeps IPv6
    /// in brackets; anything that is not literally loopback counts as remote.
    static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased()
        if lower == "localhost" || lower == "localhost." { return true }
        if lower.hasPrefix("[") && lower.hasSuffix("]") {
            var address = in6_addr()
            let inner = String(lower.dropFirst().dropLast())
            guard inet_pton(AF_INET6, inner, &address) == 1 else { return false }
            return withUnsafeBytes(of: &address) { bytes in
                bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1
            }
        }
        var address = in_addr()
        guard inet_pton(AF_INET, lower, &address) == 1 else { return false }
        return withUnsafeBytes(of: &address) { $0[0] == 127 }
    }
}
