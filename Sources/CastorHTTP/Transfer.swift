import CCurl
import Dispatch

/// One request in flight: its easy handle and every buffer libcurl points into.
///
/// Confinement: created, driven and finished only on the client's queue (libcurl calls
/// the callbacks below from inside curl_multi_socket_action on that queue), hence
/// `@unchecked Sendable`. libcurl holds raw pointers into this object (callback data,
/// header list, body, error buffer, parsed URL), so `release()` detaches or cleans up the
/// easy handle before any of them is freed.
///
/// Easy handles are reused (`CurlMultiDriver` keeps a few idle ones): the client-wide
/// options and callbacks are set once per handle, and each transfer sets only what is its
/// own — URL, timeouts, method, headers, body and the pointers to itself. libcurl's own
/// per-handle set-up (`curl_easy_init`, ~20 options) was a third of the cost of starting a
/// request on the tick-to-order path.
final class Transfer: @unchecked Sendable {
    let id: UInt64
    let easy: UnsafeMutableRawPointer
    let isIdempotent: Bool
    let errorBuffer: UnsafeMutablePointer<CChar>
    private let url: ParsedURL
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let bodyBytes: UnsafeMutableRawBufferPointer
    let responseLimit: Int
    private let completionQueue: DispatchQueue
    private var completion: (@Sendable (Result<HTTPResponse, HTTPError>) -> Void)?

    /// Set by the debug callback on the first CURLINFO_HEADER_OUT / DATA_OUT: libcurl
    /// reports those right after a send() of request bytes returned, so "false" means no
    /// request byte was handed to the kernel (or to OpenSSL/nghttp2 for writing).
    private(set) var requestBytesWritten = false
    /// Set when the prereq callback refused libcurl's automatic resend.
    private(set) var resendSuppressed = false
    private(set) var bodyTooLarge = false
    private(set) var responseHeaders = HTTPHeaders()
    private(set) var responseBody: [UInt8] = []

    /// - Parameter reused: an idle easy handle from an earlier transfer of the same client
    ///   (its client-wide options are set); nil makes a fresh one. Consumed either way: on
    ///   failure it is cleaned up.
    init(
        id: UInt64, request: HTTPRequest, options: HTTPClient.Options,
        closeSocketData: UnsafeMutableRawPointer,
        completionQueue: DispatchQueue,
        reusing reused: UnsafeMutableRawPointer? = nil,
        completion: @escaping @Sendable (Result<HTTPResponse, HTTPError>) -> Void
    ) throws(HTTPError) {
        var reused = reused
        defer { if let reused { curl_easy_cleanup(reused) } }
        if let failure = Curl.globalInit {
            throw .internalFailure(call: failure.call, code: failure.code, detail: failure.message, requestMayHaveBeenSent: false)
        }
        if request.method == .get && !request.body.isEmpty { throw .invalidRequest("a GET request cannot carry a body") }
        for (name, value) in request.headers {
            let bad = name.isEmpty || name.utf8.contains { $0 == 13 || $0 == 10 || $0 == 58 || $0 == 32 }
            if bad || value.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
                throw .invalidRequest("header \(name.debugDescription) has an invalid name or value")
            }
        }
        url = try ParsedURL(request.url)
        let fresh = reused == nil
        guard let easy = reused ?? curl_easy_init() else {
            throw .internalFailure(call: "curl_easy_init", code: 0, detail: "out of memory", requestMayHaveBeenSent: false)
        }
        reused = nil  // owned by this transfer from here on
        self.id = id
        self.easy = easy
        self.isIdempotent = request.isIdempotent
        self.responseLimit = options.maxResponseBytes
        self.completionQueue = completionQueue
        self.completion = completion
        errorBuffer = .allocate(capacity: Curl.errorBufferSize)
        errorBuffer.initialize(repeating: 0, count: Curl.errorBufferSize)
        // One spare byte so an empty body still has a valid pointer for POSTFIELDS.
        bodyBytes = .allocate(byteCount: request.body.count + 1, alignment: 1)
        bodyBytes.copyBytes(from: request.body)
        do {
            if fresh { try configureHandle(options, closeSocketData: closeSocketData) }
            try configure(request, options)
        } catch {
            _ = release(keepHandle: false)
            throw .internalFailure(call: error.call, code: error.code, detail: error.message, requestMayHaveBeenSent: false)
        }
    }

    /// What every transfer of this client shares: set once per easy handle.
    private func configureHandle(_ options: HTTPClient.Options, closeSocketData: UnsafeMutableRawPointer) throws(CurlFailure) {
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_TCP_NODELAY, 1)
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        try set(CURLOPT_PIPEWAIT, 1)
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        // CAINFO replaces the system bundle file, but OpenSSL also searches CAPATH, which
        // we point at the system's hashed directory: both the extra CA and the system
        // CAs are trusted.
        if let caFile = options.additionalCAFile { try set(CURLOPT_CAINFO, caFile) }
        if let caPath = options.systemCAPath { try set(CURLOPT_CAPATH, caPath) }
        // An empty proxy string disables the *_proxy environment variables.
        try set(CURLOPT_PROXY, options.proxy ?? "")
        try set(CURLOPT_MAXAGE_CONN, max(1, Int(options.maxIdleConnectionAge.components.seconds)))
        if let agent = options.userAgent { try set(CURLOPT_USERAGENT, agent) }

        try Curl.check("curl_easy_setopt(WRITEFUNCTION)", errorBuffer: errorBuffer) {
            // `user` is nil only on an idle pooled handle, which libcurl does not drive.
            castor_curl_easy_setopt_write(easy, CURLOPT_WRITEFUNCTION) { data, size, count, user in
                guard let user else { return 0 }
                return Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue().received(body: data, size * count)
            }
        }
        try Curl.check("curl_easy_setopt(HEADERFUNCTION)", errorBuffer: errorBuffer) {
            castor_curl_easy_setopt_write(easy, CURLOPT_HEADERFUNCTION) { data, size, count, user in
                guard let user else { return 0 }
                return Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue().received(header: data, size * count)
            }
        }
        // The debug callback only runs with VERBOSE; it is our witness of request bytes
        // leaving (see `requestBytesWritten`). It also keeps libcurl off stderr.
        try set(CURLOPT_VERBOSE, 1)
        try Curl.check("curl_easy_setopt(DEBUGFUNCTION)", errorBuffer: errorBuffer) {
            castor_curl_easy_setopt_debug(easy, CURLOPT_DEBUGFUNCTION) { _, type, _, _, user in
                if type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT, let user {
                    Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue().requestBytesWritten = true
                }
                return 0
            }
        }
        try Curl.check("curl_easy_setopt(PREREQFUNCTION)", errorBuffer: errorBuffer) {
            castor_curl_easy_setopt_prereq(easy) { user, _, _, _, _ in
                guard let user else { return Int32(CURL_PREREQFUNC_ABORT) }
                return Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue().mayStartAttempt()
                    ? Int32(CURL_PREREQFUNC_OK) : Int32(CURL_PREREQFUNC_ABORT)
            }
        }
        // Connections outlive transfers, so socket closing is routed to the driver.
        try Curl.check("curl_easy_setopt(CLOSESOCKETFUNCTION)", errorBuffer: errorBuffer) {
            castor_curl_easy_setopt_closesocket(easy) { user, fd in
                Unmanaged<CurlMultiDriver>.fromOpaque(user!).takeUnretainedValue().closeSocket(fd)
                return 0
            }
        }
        try set(CURLOPT_CLOSESOCKETDATA, pointer: closeSocketData)
    }

    /// What is this transfer's own. Everything a previous transfer on the same handle set
    /// per request is set again here, so nothing of it carries over.
    private func configure(_ request: HTTPRequest, _ options: HTTPClient.Options) throws(CurlFailure) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try set(CURLOPT_CURLU, pointer: UnsafeMutableRawPointer(url.handle))
        try set(CURLOPT_TIMEOUT_MS, (request.timeout ?? options.requestTimeout).curlMilliseconds)
        try set(CURLOPT_CONNECTTIMEOUT_MS, (request.connectTimeout ?? options.connectTimeout).curlMilliseconds)
        for option in [CURLOPT_WRITEDATA, CURLOPT_HEADERDATA, CURLOPT_DEBUGDATA, CURLOPT_PREREQDATA] {
            try set(option, pointer: me)
        }
        // HTTPGET first: it drops a previous transfer's POST state on a reused handle.
        try set(CURLOPT_HTTPGET, 1)
        if request.method == .delete { try set(CURLOPT_CUSTOMREQUEST, "DELETE") } else { try set(CURLOPT_CUSTOMREQUEST, pointer: nil) }
        switch request.method {
        case .get:
            break
        case .post:
            try setBody(count: request.body.count)
        case .delete:
            if !request.body.isEmpty { try setBody(count: request.body.count) }
        }
        var list: UnsafeMutablePointer<curl_slist>?
        var lines = ["Expect:"]
        if !request.headers.contains(where: { Self.sameName($0.name, "content-type") }) { lines.append("Content-Type:") }
        for (name, value) in request.headers where !Self.sameName(name, "content-length") {
            // "Name;" is libcurl's spelling of a header with an empty value.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        for line in lines {
            guard let next = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw CurlFailure(call: "curl_slist_append", code: 0, message: "out of memory")
            }
            list = next
        }
        headerList = list
        try Curl.check("curl_easy_setopt(HTTPHEADER)", errorBuffer: errorBuffer) {
            castor_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
        }
    }

    /// ASCII case-insensitive header name comparison; `lowercased` allocated per header.
    static func sameName(_ name: String, _ lowercaseName: StaticString) -> Bool {
        let a = name.utf8
        guard a.count == lowercaseName.utf8CodeUnitCount else { return false }
        return lowercaseName.withUTF8Buffer { b in
            zip(a, b).allSatisfy { x, y in (x >= 65 && x <= 90 ? x | 0x20 : x) == y }
        }
    }

    private func setBody(count: Int) throws(CurlFailure) {
        try Curl.check("curl_easy_setopt(POSTFIELDSIZE_LARGE)", errorBuffer: errorBuffer) {
            castor_curl_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(count))
        }
        try set(CURLOPT_POSTFIELDS, pointer: bodyBytes.baseAddress!)
    }

    private func set(_ option: CURLoption, _ value: Int) throws(CurlFailure) {
        try Curl.check("curl_easy_setopt(\(option.rawValue))", errorBuffer: errorBuffer) {
            castor_curl_easy_setopt_long(easy, option, value)
        }
    }

    private func set(_ option: CURLoption, _ value: String) throws(CurlFailure) {
        try Curl.check("curl_easy_setopt(\(option.rawValue))", errorBuffer: errorBuffer) {
            castor_curl_easy_setopt_str(easy, option, value)  // libcurl copies strings
        }
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(CurlFailure) {
        try Curl.check("curl_easy_setopt(\(option.rawValue))", errorBuffer: errorBuffer) {
            castor_curl_easy_setopt_ptr(easy, option, pointer)
        }
    }

    // MARK: callbacks (on the queue, inside curl_multi_socket_action)

    private func received(body data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let data, count > 0 else { return count }
        guard responseBody.count + count <= responseLimit else {
            bodyTooLarge = true
            return 0  // makes libcurl fail the transfer with CURLE_WRITE_ERROR
        }
        responseBody.append(contentsOf: UnsafeRawBufferPointer(start: data, count: count))
        return count
    }

    private func received(header data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let data else { return count }
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            responseHeaders.removeAll()  // a new status line: drop any interim 1xx fields
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t\r\n")
            responseHeaders.append(name: name, value: value)
        }
        return count
    }

    /// Called by libcurl before each attempt to send this request on a connection.
    /// A second attempt after request bytes went out is libcurl's silent resend on a
    /// dead reused connection: allowed for idempotent requests only.
    private func mayStartAttempt() -> Bool {
        if requestBytesWritten && !isIdempotent {
            resendSuppressed = true
            return false
        }
        return true
    }

    // MARK: completion

    /// Delivers the result once, on the caller's queue.
    func complete(_ result: Result<HTTPResponse, HTTPError>) {
        guard let completion else { return }
        self.completion = nil
        completionQueue.async { completion(result) }
    }

    /// Detaches the easy handle from everything of this transfer, then frees that.
    ///
    /// - Parameter keepHandle: return the handle for reuse (after a transfer libcurl
    ///   completed normally); otherwise it is cleaned up.
    /// - Returns: the handle to keep, with no pointer into freed memory left in it.
    func release(keepHandle: Bool) -> UnsafeMutableRawPointer? {
        var kept: UnsafeMutableRawPointer?
        if keepHandle, detach() {
            kept = easy
        } else {
            curl_easy_cleanup(easy)
        }
        curl_slist_free_all(headerList)
        headerList = nil
        bodyBytes.deallocate()
        errorBuffer.deallocate()
        return kept
    }

    /// Clears every option pointing into this object; false if libcurl refused one.
    private func detach() -> Bool {
        let cleared: [CURLcode] = [
            castor_curl_easy_setopt_ptr(easy, CURLOPT_ERRORBUFFER, nil),
            castor_curl_easy_setopt_ptr(easy, CURLOPT_CURLU, nil),
            castor_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, nil),
            castor_curl_easy_setopt_ptr(easy, CURLOPT_POSTFIELDS, nil),
            castor_curl_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, nil),
            castor_curl_easy_setopt_ptr(easy, CURLOPT_HEADERDATA, nil),
            castor_curl_easy_setopt_ptr(easy, CURLOPT_DEBUGDATA, nil),
            castor_curl_easy_setopt_ptr(easy, CURLOPT_PREREQDATA, nil),
        ]
        return cleared.allSatisfy { $0 == CURLE_OK }
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        var view = Substring(self).unicodeScalars
        while let first = view.first, scalars.contains(first) { view.removeFirst() }
        while let last = view.last, scalars.contains(last) { view.removeLast() }
        return String(view)
    }
}
