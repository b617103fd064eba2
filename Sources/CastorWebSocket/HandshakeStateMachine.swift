/// Parses the server's answer to the upgrade request, fed incrementally: bytes may arrive
/// split anywhere, including inside "\r\n\r\n".
///
/// A 101 that passes RFC 6455 §4.1's checks yields `.upgraded(leftover:)`, where
/// `leftover` is whatever followed the header block: the first WebSocket frames. Any
/// other status is collected with its body (up to `maxBodySize`) so the caller can see
/// why the server refused (Gemini: JSON reason on 400/401/403).
struct HandshakeStateMachine {
    enum Action: Equatable {
        case needMoreBytes
        case upgraded(leftover: [UInt8])
        case failed(WebSocketError)
    }

    private enum State {
        case headers
        case rejectedBody(status: Int, reason: String, expectedLength: Int?)
        case done
    }

    private let expectedAccept: String
    private let maxHeaderSize: Int
    private let maxBodySize: Int
    private var buffer: [UInt8] = []
    private var state: State = .headers
    /// Where the search for the blank line resumes, so split input is not rescanned.
    private var scanFrom = 0

    init(expectedAccept: String, maxHeaderSize: Int = 16 << 10, maxBodySize: Int = 4096) {
        self.expectedAccept = expectedAccept
        self.maxHeaderSize = maxHeaderSize
        self.maxBodySize = maxBodySize
    }

    /// Consumes newly received bytes.
    mutating func receive<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Action {
        switch state {
        case .done:
            return .failed(.invalidState("handshake already finished"))
        case .headers:
            buffer.append(contentsOf: bytes)
            return parseHeaders()
        case let .rejectedBody(status, reason, expected):
            buffer.append(contentsOf: bytes)
            return bodyProgress(status: status, reason: reason, expected: expected, eof: false)
        }
    }

    /// The peer closed the connection before the handshake finished.
    mutating func peerClosed() -> Action {
        switch state {
        case .done: return .failed(.invalidState("handshake already finished"))
        case .headers:
            state = .done
            return .failed(.connectionLost(reason: "server closed the connection during the HTTP upgrade"))
        case let .rejectedBody(status, reason, expected):
            return bodyProgress(status: status, reason: reason, expected: expected, eof: true)
        }
    }

    private mutating func bodyProgress(status: Int, reason: String, expected: Int?, eof: Bool) -> Action {
        let limit = min(expected ?? maxBodySize, maxBodySize)
        if buffer.count >= limit || eof {
            state = .done
            let body = String(decoding: buffer.prefix(limit), as: UTF8.self)
            return .failed(.handshakeRejected(status: status, reason: reason, body: body))
        }
        return .needMoreBytes
    }

    private mutating func parseHeaders() -> Action {
        guard let end = findBlankLine() else {
            if buffer.count > maxHeaderSize {
                state = .done
                return .failed(.handshakeTooLarge(limit: maxHeaderSize))
            }
            return .needMoreBytes
        }
        if end > maxHeaderSize {
            state = .done
            return .failed(.handshakeTooLarge(limit: maxHeaderSize))
        }
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        let leftover = Array(buffer[(end + 4)...])
        buffer = []
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            state = .done
            return .failed(.handshakeInvalid(reason: "malformed status line '\(statusLine.prefix(80))'"))
        }
        let reason = parts.count == 3 ? String(parts[2]) : ""
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                state = .done
                return .failed(.handshakeInvalid(reason: "malformed header line '\(line.prefix(80))'"))
            }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingOWS()
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        if status != 101 {
            // Digits only: `Int("-1")` would make a negative limit (and a trap in prefix).
            let length = headers["content-length"].flatMap { v in v.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } ? Int(v) : nil }
            state = .rejectedBody(status: status, reason: reason, expectedLength: length)
            buffer = leftover
            return bodyProgress(status: status, reason: reason, expected: length, eof: false)
        }
        state = .done
        if let failure = Self.validateUpgrade(headers: headers, expectedAccept: expectedAccept) {
            return .failed(.handshakeInvalid(reason: failure))
        }
        return .upgraded(leftover: leftover)
    }

    private static func validateUpgrade(headers: [String: String], expectedAccept: String) -> String? {
        guard headers["upgrade"]?.lowercased() == "websocket" else {
            return "Upgrade header is '\(headers["upgrade"] ?? "missing")', expected websocket"
        }
        let connectionTokens = (headers["connection"] ?? "").lowercased().split(separator: ",").map { $0.trimmingOWS() }
        guard connectionTokens.contains("upgrade") else {
            return "Connection header '\(headers["connection"] ?? "missing")' lacks Upgrade"
        }
        guard headers["sec-websocket-accept"] == expectedAccept else {
            return "Sec-WebSocket-Accept '\(headers["sec-websocket-accept"] ?? "missing")' != expected '\(expectedAccept)'"
        }
        // We offer no extension or subprotocol; a server that picks one is broken.
        if let ext = headers["sec-websocket-extensions"] { return "unrequested extension '\(ext)'" }
        if let proto = headers["sec-websocket-protocol"] { return "unrequested subprotocol '\(proto)'" }
        return nil
    }

    private mutating func findBlankLine() -> Int? {
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var i = max(0, scanFrom)
        while i + 3 < buffer.count {
            if buffer[i] == cr && buffer[i + 1] == lf && buffer[i + 2] == cr && buffer[i + 3] == lf { return i }
            i += 1
        }
        scanFrom = max(0, buffer.count - 3)
        return nil
    }
}

extension StringProtocol {
    /// Strips HTTP optional whitespace (spaces and tabs) at both ends.
    func trimmingOWS() -> String {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isOWS($0) }) else { return "" }
        let last = lastIndex(where: { !isOWS($0) })!
        return String(self[first...last])
    }
}
