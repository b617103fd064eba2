// libFuzzer harness: the WebSocket URL / loopback policy, the upgrade-response parser
// (HandshakeStateMachine) and the upgrade request builder.
//
// Input: byte 0 picks the mode.
//   0: the rest is a URL for WebSocketURL.
//   1: byte 1 is a chunk size, the rest is a server response fed to HandshakeStateMachine.
//   2: the rest is "name: value" header lines for HandshakeRequest.validate and .bytes.
//
// Oracles:
// - mode 0: a plain ws:// URL is accepted only for a host that is loopback without DNS:
//   "localhost" or a numeric address that getaddrinfo(AI_NUMERICHOST) maps into 127/8 or
//   ::1 (TCPSocket resolves the host with getaddrinfo, so anything else goes to DNS);
//   an accepted URL prints and re-parses to the same URL; the request it produces has no
//   bytes that would end or split the request line or the Host header;
// - mode 1: the result does not depend on how the bytes are split into reads; an upgrade
//   is reported only for status 101 with the right Sec-WebSocket-Accept;
// - mode 2: headers that pass validate() produce exactly one request line each.

import Glibc

func fail(_ message: String, _ input: String) -> Never {
    fputs("FUZZ ORACLE FAILED: \(message)\n  input: \(input.debugDescription)\n", stderr)
    abort()
}

/// True if `host` is a numeric IPv4/IPv6 address (no DNS) in 127.0.0.0/8 or ::1.
func numericLoopback(_ host: String) -> Bool {
    var hints = addrinfo()
    hints.ai_flags = AI_NUMERICHOST
    hints.ai_family = AF_UNSPEC
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return false }
    defer { freeaddrinfo(list) }
    var ok = true
    var node: UnsafeMutablePointer<addrinfo>? = first
    while let n = node {
        if n.pointee.ai_family == AF_INET {
            let a = n.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
            if UInt32(bigEndian: a) >> 24 != 127 { ok = false }
        } else if n.pointee.ai_family == AF_INET6 {
            let loop = n.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p -> Bool in
                withUnsafeBytes(of: p.pointee.sin6_addr) { b in b.prefix(15).allSatisfy { $0 == 0 } && b[15] == 1 }
            }
            if !loop { ok = false }
        } else {
            ok = false
        }
        node = n.pointee.ai_next
    }
    return ok
}

let key = "dGhlIHNhbXBsZSBub25jZQ=="

func urlMode(_ text: String) {
    guard let url = try? WebSocketURL(text) else { return }
    // Fixed findings (Fuzz/crashes/ws_handshake): leading-zero and signed octets passed
    // as loopback; spaces and control bytes split the request line. Both are checked.
    if !url.isSecure, url.host.lowercased() != "localhost", !numericLoopback(url.host) {
        fail("ws:// accepted for host \(url.host.debugDescription), which is not a numeric loopback address (it would go to DNS)", text)
    }
    if (url.host + url.target).utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
        fail("spaces or control bytes accepted in \(url.description.debugDescription)", text)
    }
    guard let again = try? WebSocketURL(url.description) else { fail("\(url.description) does not re-parse", text) }
    if again != url { fail("round trip \(url) -> \(again)", text) }
    if url.port < 1 || url.port > 65535 { fail("port \(url.port)", text) }
    let request = HandshakeRequest(url: url, headers: [], key: key).bytes
    let head = String(decoding: request, as: UTF8.self)
    let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
    // GET line, Host, Upgrade, Connection, Key, Version, blank, trailing empty.
    if lines.count != 8 {
        fail("request has \(lines.count) CRLF-separated parts:\n\(head.debugDescription)", text)
    }
    let requestLine = lines[0].split(separator: " ", omittingEmptySubsequences: false)
    if requestLine.count != 3 || lines[0].utf8.contains(where: { $0 < 0x21 && $0 != 0x20 }) {
        fail("request line split or has control bytes: \(lines[0].debugDescription)", text)
    }
    if lines[1].utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) || lines[1].dropFirst(6).contains(" ") {
        fail("Host header has control bytes or spaces: \(lines[1].debugDescription)", text)
    }
}

/// The final action, with the bytes not yet handed to the machine appended to an
/// upgrade's leftover (they would arrive as WebSocket frames in later reads).
func feed(_ response: [UInt8], chunk: Int) -> HandshakeStateMachine.Action {
    var machine = HandshakeStateMachine(expectedAccept: HandshakeRequest.accept(forKey: key), maxHeaderSize: 1024, maxBodySize: 256)
    var i = 0
    repeat {
        let end = min(response.count, i + chunk)
        let a = machine.receive(response[i..<end])
        if case .upgraded(let leftover) = a { return .upgraded(leftover: leftover + response[end...]) }
        if a != .needMoreBytes { return a }
        i = end
    } while i < response.count
    return machine.peerClosed()
}


func handshakeMode(_ bytes: [UInt8], chunk: Int, input: String) {
    let whole = feed(bytes, chunk: max(bytes.count, 1))
    let split = feed(bytes, chunk: chunk)
    // Both refusing for different reasons is fine (a header block within 3 bytes of the
    // size limit is "too large" when its blank line arrives split, parsed when whole); an
    // upgrade, or a rejection's status and body when both reject, must not depend on it.
    var bothFailed = false
    if case .failed(let a) = whole, case .failed(let b) = split {
        bothFailed = true
        if case .handshakeRejected = a, case .handshakeRejected = b { bothFailed = a == b }
    }
    if whole != split, !bothFailed { fail("whole read gives \(whole), reads of \(chunk) give \(split)", input) }
    if case .upgraded = whole {
        let text = String(decoding: bytes, as: UTF8.self)
        if !text.hasPrefix("HTTP/1.") || !text.contains(" 101") { fail("upgraded without a 101 status line", input) }
        if !text.contains(HandshakeRequest.accept(forKey: key)) { fail("upgraded without the accept value", input) }
    }
}

func headersMode(_ text: String) {
    var headers: [(name: String, value: String)] = []
    for line in text.split(separator: "\n", maxSplits: 8, omittingEmptySubsequences: false) {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
    }
    guard (try? HandshakeRequest.validate(headers: headers)) != nil else { return }
    guard let url = try? WebSocketURL("wss://api.gemini.com/v1/order/events") else { fail("url", text) }
    let head = String(decoding: HandshakeRequest(url: url, headers: headers, key: key).bytes, as: UTF8.self)
    let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
    if lines.count != 8 + headers.count { fail("\(headers.count) headers gave \(lines.count - 8) extra lines:\n\(head.debugDescription)", text) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let input = String(decoding: bytes, as: UTF8.self)
    switch bytes[0] % 3 {
    case 0: urlMode(String(decoding: bytes.dropFirst(), as: UTF8.self))
    case 1:
        guard size >= 2 else { return 0 }
        handshakeMode(Array(bytes.dropFirst(2)), chunk: max(1, Int(bytes[1]) % 64), input: input)
    default: headersMode(String(decoding: bytes.dropFirst(), as: UTF8.self))
    }
    return 0
}
