/// The head of an HTTP/1.x request (request line and header fields), parsed without I/O.
///
/// Only what the metrics endpoint needs: a method, an origin-form path and no body. Anything
/// else is refused with the status to answer, never a trap: the bytes come from whoever can
/// reach `[metrics] listen`.
struct MetricsRequestHead: Equatable, Sendable {
    /// The method token as sent (`GET`, `HEAD`, …; methods are case-sensitive).
    let method: String
    /// The target's path, without its query (`/metrics` for `/metrics?x=1`).
    let path: String
}

/// Bounds on a request head; a longer head or more fields is refused with 431.
struct MetricsRequestLimits: Sendable, Equatable {
    /// Bytes up to and including the blank line that ends the head.
    var maxHeadBytes = 8 * 1024
    /// Header fields (lines after the request line).
    var maxHeaderCount = 64

    init(maxHeadBytes: Int = 8 * 1024, maxHeaderCount: Int = 64) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
    }
}

/// An HTTP status the endpoint answers with.
enum MetricsHTTPStatus: Int, Sendable, Equatable {
    case ok = 200
    case badRequest = 400
    case notFound = 404
    case methodNotAllowed = 405
    case requestTimeout = 408
    case headerFieldsTooLarge = 431
    case serviceUnavailable = 503
    case versionNotSupported = 505

    var reason: String {
        switch self {
        case .ok: "OK"
        case .badRequest: "Bad Request"
        case .notFound: "Not Found"
        case .methodNotAllowed: "Method Not Allowed"
        case .requestTimeout: "Request Timeout"
        case .headerFieldsTooLarge: "Request Header Fields Too Large"
        case .serviceUnavailable: "Service Unavailable"
        case .versionNotSupported: "HTTP Version Not Supported"
        }
    }
}

/// What the bytes received so far amount to.
enum MetricsRequestParse: Equatable, Sendable {
    /// No blank line yet, and nothing wrong so far: read on.
    case incomplete
    case complete(MetricsRequestHead)
    /// Answer `status` (with `reason` as the body) and close.
    case refused(MetricsHTTPStatus, reason: String)
}

/// RFC 9112's request head, strictly: CRLF line ends only (a bare LF or CR is refused, not
/// guessed at), a token method, an origin-form target, `HTTP/1.0` or `HTTP/1.1`, no folded
/// or malformed fields, `Host` on HTTP/1.1, and no body (`Content-Length` other than 0 and
/// any `Transfer-Encoding` are refused: both routes are GETs).
enum MetricsRequestParser {
    private static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")

    static func parse(_ bytes: [UInt8], limits: MetricsRequestLimits) -> MetricsRequestParse {
        // Line ends first, over everything received: CR must be followed by LF, LF preceded by CR.
        var headEnd: Int?
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == lf {
                guard index > 0, bytes[index - 1] == cr else { return .refused(.badRequest, reason: "line ends must be CRLF (bare LF)") }
                if index >= 3, bytes[index - 2] == lf, bytes[index - 3] == cr {
                    headEnd = index + 1
                    break
                }
            } else if byte == cr, index + 1 < bytes.count, bytes[index + 1] != lf {
                return .refused(.badRequest, reason: "line ends must be CRLF (bare CR)")
            } else if byte == 0 {
                return .refused(.badRequest, reason: "NUL byte in the request head")
            }
            index += 1
        }
        guard let headEnd else {
            if bytes.count > limits.maxHeadBytes {
                return .refused(.headerFieldsTooLarge, reason: "request head over \(limits.maxHeadBytes) bytes")
            }
            // Refuse junk early: the request line, as far as it has come, must look like one.
            let firstLine = bytes.prefix { $0 != cr && $0 != lf }
            if let problem = requestLinePrefixProblem(firstLine) { return .refused(.badRequest, reason: problem) }
            return .incomplete
        }
        guard headEnd <= limits.maxHeadBytes else {
            return .refused(.headerFieldsTooLarge, reason: "request head over \(limits.maxHeadBytes) bytes")
        }
        // Lines without their CRLF; the head ends with an empty line.
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var i = 0
        while i + 1 < headEnd {
            if bytes[i] == cr && bytes[i + 1] == lf {
                lines.append(bytes[start..<i])
                start = i + 2
                i += 2
            } else {
                i += 1
            }
        }
        guard let requestLine = lines.first, !requestLine.isEmpty else {
            return .refused(.badRequest, reason: "empty request line")
        }
        let fields = lines.dropFirst().dropLast()  // the last is the empty line
        guard fields.count <= limits.maxHeaderCount else {
            return .refused(.headerFieldsTooLarge, reason: "more than \(limits.maxHeaderCount) header fields")
        }
        let head: (method: String, target: ArraySlice<UInt8>, minor: Int)
        switch parseRequestLine(requestLine) {
        case .failure(let refusal): return .refused(refusal.status, reason: refusal.reason)
        case .success(let parsed): head = parsed
        }
        var hasHost = false
        for field in fields {
            guard let first = field.first else { return .refused(.badRequest, reason: "empty header line") }
            if first == space || first == tab { return .refused(.badRequest, reason: "folded header line (obs-fold)") }
            guard let colon = field.firstIndex(of: UInt8(ascii: ":")), colon > field.startIndex else {
                return .refused(.badRequest, reason: "header line without a name and colon")
            }
            let name = field[field.startIndex..<colon]
            guard name.allSatisfy(isTokenByte) else { return .refused(.badRequest, reason: "invalid header name") }
            let value = field[(colon + 1)...]
            guard value.allSatisfy({ $0 == tab || ($0 >= 0x20 && $0 != 0x7F) }) else {
                return .refused(.badRequest, reason: "control character in a header value")
            }
            let lowered = String(decoding: name, as: UTF8.self).lowercased()
            let trimmed = String(decoding: value, as: UTF8.self).trimmingSpaces
            switch lowered {
            case "host": hasHost = true
            case "content-length" where trimmed != "0":
                return .refused(.badRequest, reason: "a request body is not accepted")
            case "transfer-encoding":
                return .refused(.badRequest, reason: "a request body is not accepted")
            default: break
            }
        }
        if head.minor == 1, !hasHost { return .refused(.badRequest, reason: "HTTP/1.1 request without Host") }
        let path = head.target.prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        return .complete(MetricsRequestHead(method: head.method, path: String(decoding: path, as: UTF8.self)))
    }

    private struct Refusal: Error {
        let status: MetricsHTTPStatus
        let reason: String
    }

    /// `method SP origin-form SP HTTP/1.x`.
    private static func parseRequestLine(_ line: ArraySlice<UInt8>)
        -> Result<(method: String, target: ArraySlice<UInt8>, minor: Int), Refusal> {
        let parts = line.split(separator: space, maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(Refusal(status: .badRequest, reason: "malformed request line")) }
        let method = parts[0], target = parts[1], version = parts[2]
        guard !method.isEmpty, method.count <= 32, method.allSatisfy(isTokenByte) else {
            return .failure(Refusal(status: .badRequest, reason: "invalid method"))
        }
        guard target.first == UInt8(ascii: "/"), target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(Refusal(status: .badRequest, reason: "the target must be a path (origin-form)"))
        }
        let text = String(decoding: version, as: UTF8.self)
        switch text {
        case "HTTP/1.1": return .success((String(decoding: method, as: UTF8.self), target, 1))
        case "HTTP/1.0": return .success((String(decoding: method, as: UTF8.self), target, 0))
        default:
            let looksLikeHTTP = text.hasPrefix("HTTP/") && text.count == 8
            return .failure(Refusal(status: looksLikeHTTP ? .versionNotSupported : .badRequest,
                                    reason: looksLikeHTTP ? "only HTTP/1.0 and HTTP/1.1" : "invalid HTTP version"))
        }
    }

    /// Whether a request line received only in part can still become a valid one.
    private static func requestLinePrefixProblem(_ line: ArraySlice<UInt8>) -> String? {
        guard let space = line.firstIndex(of: space) else {
            if line.count > 32 || !line.allSatisfy(isTokenByte) { return "invalid method" }
            return nil
        }
        if space == line.startIndex || !line[line.startIndex..<space].allSatisfy(isTokenByte) { return "invalid method" }
        let rest = line[(space + 1)...]
        if let first = rest.first, first != UInt8(ascii: "/") { return "the target must be a path (origin-form)" }
        if !rest.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return "invalid byte in the request line" }
        return nil
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (no Foundation needed).
    fileprivate var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(scalars[first...last])
    }
}
