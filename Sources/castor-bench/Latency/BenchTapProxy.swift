import CastorCore
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP relay between the engine and the simulator that timestamps the two ends
/// of the tick-to-order path as seen on the engine's sockets.
///
/// - `frameOut`: right before the chunk completing a WebSocket frame that carries
///   `l2_updates` is written to the engine's market-data socket (the whole frame is then
///   readable by the engine). The relay follows the server's frame boundaries: a frame can arrive from
///   the simulator in two TCP segments, and the engine can act only once it has all of it;
///   stamping the first segment would charge the simulator's send timing to the engine;
/// - `orderIn`: when the kernel queued the chunk starting `POST /v1/order/new` on the
///   relay's end of the engine's REST socket (`SO_TIMESTAMPNS`: on loopback, the moment the
///   engine's write put it there), so the relay's own thread wake-up is not charged to the
///   engine; `orderReadNs` keeps the older stamp, right after `read` returned it.
/// On the new WebSocket API (`api: .webSocket`) the market-data socket is the upgrade
/// `GET /?snapshot=-1` and its frames carry `depthUpdate`; with WebSocket order entry the
/// order is the engine's (masked) frame carrying `order.place` on the account socket, read
/// through `FrameTracker`, which unmasks the first bytes of each frame.
/// A sample is `orderIn − frameOut` for the latest frame before the order, counted only if
/// no other order came in since that frame. Stamps are `CLOCK_MONOTONIC` in this process
/// (the kernel's receive stamp is `CLOCK_REALTIME`, converted at the read). `relaySamplesNs`
/// are `orderRead − frameOut`: they include the relay thread's wake-up on the order side,
/// as the bench measured before the kernel stamp (tens of µs on a shared VM).
///
/// Blocking threads, two per connection: it is a measuring instrument, not the product.
final class BenchTapProxy: @unchecked Sendable {
    struct Stamps {
        var lastFrameNs: UInt64 = 0
        var lastOrderNs: UInt64 = 0
        /// `orderIn − frameOut` (kernel receive stamp).
        var samplesNs: [UInt64] = []
        /// `orderRead − frameOut` (the relay's read returned).
        var relaySamplesNs: [UInt64] = []
        /// Each sample's stamps, for matching the engine's own stage stamps (`TickTrace`).
        var pairs: [(frameNs: UInt64, orderInNs: UInt64, orderReadNs: UInt64)] = []
        var frames = 0
        var orders = 0
    }

    /// Which API the engine speaks through this relay.
    enum API { case legacy, webSocket }

    /// The stamps, shared by the relays of one run (market data and orders may cross
    /// different sockets: the new API's and REST's).
    final class Book: Sendable {
        let stamps = Mutex(Stamps())
        init() {}
    }

    let port: UInt16
    private let upstreamPort: UInt16
    private let api: API
    private let listener: Int32
    let book: Book

    init(upstreamPort: UInt16, api: API = .legacy, book: Book = Book()) throws {
        self.upstreamPort = upstreamPort
        self.api = api
        self.book = book
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw BenchFailure("bench proxy: bind/listen failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
    }

    /// Starts accepting connections.
    func start() {
        Thread { [self] in acceptLoop() }.start()
    }

    static func monotonicNs() -> UInt64 { TickTrace.monotonicNs() }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { if errno == EINTR { continue } else { return } }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: upstreamPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { close(client); close(upstream); continue }
            var one: Int32 = 1
            for fd in [client, upstream] { setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) }
            let connection = Connection()
            Thread { [self] in pumpFromEngine(client, to: upstream, connection) }.start()
            Thread { [self] in pumpToEngine(upstream, to: client, connection) }.start()
        }
    }

    /// Per-connection flag set by the engine→sim pump once it saw the upgrade request.
    final class Connection: @unchecked Sendable {
        let isMarketData = Atomic<Bool>(false)
    }

    private static let orderPrefix = Array("POST /v1/order/new".utf8)
    private static let marketDataPrefix = Array("GET /v2/marketdata".utf8)
    private static let l2Marker = Array("l2_updates".utf8)
    private static let webSocketAPIMarketDataPrefix = Array("GET /?snapshot=-1".utf8)
    private static let depthMarker = Array("depthUpdate".utf8)
    private static let placeMarker = Array("order.place".utf8)

    private func pumpFromEngine(_ from: Int32, to: Int32, _ connection: Connection) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var control = [UInt8](repeating: 0, count: 128)
        var first = true
        var clientFrames = FrameTracker(marker: Self.placeMarker, whenComplete: false)
        var on: Int32 = 1
        setsockopt(from, SOL_SOCKET, Self.soTimestampNS, &on, socklen_t(MemoryLayout<Int32>.size))
        while true {
            let (n, kernelNs) = Self.receiveStamped(from, &buffer, &control)
            let readNs = Self.monotonicNs()
            if n <= 0 { break }
            // Without a kernel stamp (not expected on Linux) the read's own time stands in.
            let now = kernelNs ?? readNs
            if first {
                first = false
                let prefix = api == .legacy ? Self.marketDataPrefix : Self.webSocketAPIMarketDataPrefix
                if buffer.starts(with: prefix) { connection.isMarketData.store(true, ordering: .relaxed) }
            }
            let socketOrder = api == .webSocket && !connection.isMarketData.load(ordering: .relaxed)
                && clientFrames.feed(buffer, n) > 0
            if socketOrder || buffer[0..<n].starts(with: Self.orderPrefix) {
                book.stamps.withLock { s in
                    s.orders += 1
                    if s.lastFrameNs > s.lastOrderNs, now >= s.lastFrameNs {
                        s.samplesNs.append(now - s.lastFrameNs)
                        s.relaySamplesNs.append(readNs - s.lastFrameNs)
                        s.pairs.append((s.lastFrameNs, now, readNs))
                    }
                    s.lastOrderNs = now
                }
            }
            if !writeAll(to, buffer, n) { break }
        }
        shutdown(from, Int32(SHUT_RDWR)); shutdown(to, Int32(SHUT_RDWR))
    }

    private func pumpToEngine(_ from: Int32, to: Int32, _ connection: Connection) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var frames = FrameTracker(marker: api == .legacy ? Self.l2Marker : Self.depthMarker, whenComplete: true)
        while true {
            let n = read(from, &buffer, buffer.count)
            if n <= 0 { break }
            let completed = connection.isMarketData.load(ordering: .relaxed) ? frames.feed(buffer, n) : 0
            // Stamped *before* the write: once the bytes are in the engine's socket, the
            // engine may answer before this thread runs again, and a stamp taken after the
            // write would then pair the order with the previous frame (a 40 ms "sample").
            // The write's own few µs are thus charged to the engine.
            if completed > 0 {
                let now = Self.monotonicNs()
                book.stamps.withLock { s in
                    s.frames += completed
                    s.lastFrameNs = now
                }
            }
            if !writeAll(to, buffer, n) { break }
        }
        shutdown(from, Int32(SHUT_RDWR)); shutdown(to, Int32(SHUT_RDWR))
    }

    /// Follows an HTTP upgrade (request or response) and then the WebSocket frames after it
    /// across read boundaries, unmasking the first bytes of masked (client) frames; counts
    /// the frames whose payload names `marker` within its first 64 bytes. `whenComplete`:
    /// a frame counts once all of it has passed (the server's `{"type":"l2_updates",…`: the
    /// engine can act only then); otherwise as soon as its first bytes have (the engine's
    /// `order.place` is on the wire once they are).
    struct FrameTracker {
        let marker: [UInt8]
        let whenComplete: Bool
        private var inHeaders = true
        private var headerTail: [UInt8] = []
        private var header: [UInt8] = []
        private var remaining = 0
        private var maskKey: [UInt8] = [0, 0, 0, 0]
        private var offset = 0
        private var prefix: [UInt8] = []
        private var inPayload = false
        private var counted = false

        init(marker: [UInt8], whenComplete: Bool) {
            self.marker = marker
            self.whenComplete = whenComplete
        }

        /// Consumes `count` bytes; returns how many marked frames they completed (or began).
        mutating func feed(_ bytes: [UInt8], _ count: Int) -> Int {
            var i = 0, found = 0
            while i < count {
                if inHeaders {
                    headerTail.append(bytes[i]); i += 1
                    if headerTail.suffix(4).elementsEqual([13, 10, 13, 10]) { inHeaders = false; headerTail = [] }
                    continue
                }
                if !inPayload {
                    header.append(bytes[i]); i += 1
                    guard header.count >= 2 else { continue }
                    let short = Int(header[1] & 0x7F)
                    let lengthBytes = short == 126 ? 2 : short == 127 ? 8 : 0
                    let masked = header[1] & 0x80 != 0
                    let needed = 2 + lengthBytes + (masked ? 4 : 0)
                    guard header.count >= needed else { continue }
                    remaining = short == 126 ? Int(header[2]) << 8 | Int(header[3])
                        : short == 127 ? header[2..<10].reduce(0) { $0 << 8 | Int($1) } : short
                    maskKey = masked ? Array(header[(2 + lengthBytes)..<needed]) : [0, 0, 0, 0]
                    header = []
                    prefix = []
                    offset = 0
                    counted = false
                    inPayload = remaining > 0
                    continue
                }
                let take = min(remaining, count - i)
                var k = 0
                while k < take, prefix.count < 64 {
                    prefix.append(bytes[i + k] ^ maskKey[offset & 3])
                    offset += 1
                    k += 1
                }
                remaining -= take
                i += take
                if !whenComplete, !counted, BenchTapProxy.contains(prefix, prefix.count, marker) {
                    counted = true
                    found += 1
                }
                if remaining == 0 {
                    inPayload = false
                    if whenComplete, BenchTapProxy.contains(prefix, prefix.count, marker) { found += 1 }
                }
            }
            return found
        }
    }

    /// `SO_TIMESTAMPNS` (`SO_TIMESTAMPNS_OLD`, 64-bit `timespec`, on x86_64 and arm64);
    /// glibc's macro picks it by `time_t`'s size, which Swift cannot import.
    static let soTimestampNS: Int32 = 35

    /// `recvmsg` into `buffer`, with the kernel's receive time (`SCM_TIMESTAMPNS`, realtime)
    /// converted to `CLOCK_MONOTONIC` ns.
    static func receiveStamped(_ fd: Int32, _ buffer: inout [UInt8], _ control: inout [UInt8]) -> (Int, UInt64?) {
        buffer.withUnsafeMutableBytes { data in
            control.withUnsafeMutableBytes { ctl in
                var iov = iovec(iov_base: data.baseAddress, iov_len: data.count)
                return withUnsafeMutablePointer(to: &iov) { iovp in
                    var msg = msghdr()
                    msg.msg_iov = iovp
                    msg.msg_iovlen = 1
                    msg.msg_control = ctl.baseAddress
                    msg.msg_controllen = ctl.count
                    var n = recvmsg(fd, &msg, 0)
                    while n < 0 && errno == EINTR { n = recvmsg(fd, &msg, 0) }
                    guard n > 0 else { return (n, nil) }
                    // struct cmsghdr { size_t len; int level; int type; } then the data, 8-aligned.
                    var offset = 0
                    let end = min(Int(msg.msg_controllen), ctl.count)
                    while offset + 32 <= end {
                        let length = ctl.load(fromByteOffset: offset, as: Int.self)
                        let level = ctl.load(fromByteOffset: offset + 8, as: Int32.self)
                        let type = ctl.load(fromByteOffset: offset + 12, as: Int32.self)
                        if level == SOL_SOCKET, type == soTimestampNS, length >= 32 {
                            let seconds = ctl.load(fromByteOffset: offset + 16, as: Int.self)
                            let nanoseconds = ctl.load(fromByteOffset: offset + 24, as: Int.self)
                            var real = timespec(), mono = timespec()
                            clock_gettime(CLOCK_REALTIME, &real)
                            clock_gettime(CLOCK_MONOTONIC, &mono)
                            let kernelReal = Int64(seconds) * 1_000_000_000 + Int64(nanoseconds)
                            let offsetNs = (Int64(real.tv_sec) * 1_000_000_000 + Int64(real.tv_nsec))
                                - (Int64(mono.tv_sec) * 1_000_000_000 + Int64(mono.tv_nsec))
                            let kernelMono = kernelReal - offsetNs
                            return (n, kernelMono > 0 ? UInt64(kernelMono) : nil)
                        }
                        guard length > 0 else { break }
                        offset += (length + 7) & ~7
                    }
                    return (n, nil)
                }
            }
        }
    }

    private func writeAll(_ fd: Int32, _ buffer: [UInt8], _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let w = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + offset, count - offset) }
            if w < 0 && errno == EINTR { continue }
            if w <= 0 { return false }
            offset += w
        }
        return true
    }

    static func contains(_ buffer: [UInt8], _ count: Int, _ needle: [UInt8]) -> Bool {
        guard count >= needle.count else { return false }
        for i in 0...(count - needle.count) where buffer[i] == needle[0] {
            if buffer[i..<(i + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
