import Glibc

/// A resolved socket address, kept as raw `sockaddr` bytes so no C type leaks out.
struct SocketAddress: Sendable, CustomStringConvertible {
    let family: Int32
    let storage: [UInt8]

    var description: String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let rc = storage.withUnsafeBytes { raw in
            getnameinfo(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count),
                        &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
        }
        return rc == 0 ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    }
}

/// Thin, errno-capturing wrappers over the BSD socket calls the client needs.
///
/// Every call goes through `sys`, which reads `errno` immediately after the call (before
/// anything else can overwrite it) and throws an error naming the call.
enum TCPSocket {
    enum ConnectProgress { case connected, inProgress }

    @discardableResult
    static func sys(_ call: String, _ body: () -> Int32) throws(WebSocketError) -> Int32 {
        let rc = body()
        if rc < 0 {
            let err = errno
            throw .systemCallFailed(call: call, errno: err, message: String(cString: strerror(err)))
        }
        return rc
    }

    /// Blocking DNS lookup: run it off the connection queue.
    static func resolve(host: String, port: Int) throws(WebSocketError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        if rc != 0 {
            let reason = rc == EAI_SYSTEM ? String(cString: strerror(errno)) : String(cString: gai_strerror(rc))
            throw .resolutionFailed(host: host, reason: reason)
        }
        defer { freeaddrinfo(list) }
        var out: [SocketAddress] = []
        var node = list
        while let info = node?.pointee {
            if let addr = info.ai_addr {
                let bytes = UnsafeRawBufferPointer(start: addr, count: Int(info.ai_addrlen))
                out.append(SocketAddress(family: info.ai_family, storage: Array(bytes)))
            }
            node = info.ai_next
        }
        if out.isEmpty { throw .resolutionFailed(host: host, reason: "no addresses") }
        return out
    }

    /// A non-blocking, close-on-exec TCP socket with Nagle disabled (latency matters more
    /// than packet count for small order and subscription messages).
    static func makeSocket(family: Int32) throws(WebSocketError) -> Int32 {
        let fd = try sys("socket") {
            socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        var one: Int32 = 1
        do {
            try sys("setsockopt(TCP_NODELAY)") {
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    static func startConnect(fd: Int32, to address: SocketAddress) throws(WebSocketError) -> ConnectProgress {
        let rc = address.storage.withUnsafeBytes { raw in
            connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        if rc == 0 { return .connected }
        let err = errno
        if err == EINPROGRESS || err == EINTR { return .inProgress }
        throw .systemCallFailed(call: "connect", errno: err, message: String(cString: strerror(err)))
    }

    /// The outcome of a non-blocking connect once the socket became writable.
    static func pendingError(fd: Int32) throws(WebSocketError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        try sys("getsockopt(SO_ERROR)") { getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) }
        return value
    }
}
