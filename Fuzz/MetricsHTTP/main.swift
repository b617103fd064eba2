// libFuzzer harness: the metrics endpoint's request-head parser (MetricsRequestParser), the
// one piece of the daemon's HTTP server that reads a peer's bytes.
//
// Input: byte 0 sets the limits (bit 0: small ones, 128 bytes and 4 fields, so the bounds
// are reached often); the rest is what a client sent.
//
// Oracles:
// - no trap, and an answer for every input;
// - .incomplete only while no more than maxHeadBytes have arrived;
// - .complete: the path starts with "/" and holds no byte outside 0x21...0x7E, and the
//   method is a non-empty token;
// - a request that parses complete is .incomplete at every shorter prefix of its head (a
//   valid request is never refused because it arrived in pieces).

import Glibc

func fail(_ message: String, _ input: [UInt8]) -> Never {
    fputs("FUZZ ORACLE FAILED: \(message)\n  input: \(String(decoding: input, as: UTF8.self).debugDescription)\n", stderr)
    abort()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let limits = data[0] & 1 == 1 ? MetricsRequestLimits(maxHeadBytes: 128, maxHeaderCount: 4) : MetricsRequestLimits()
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch MetricsRequestParser.parse(bytes, limits: limits) {
    case .incomplete:
        if bytes.count > limits.maxHeadBytes { fail("incomplete past maxHeadBytes", bytes) }
    case .refused(let status, _):
        if status == .ok { fail("refused with 200", bytes) }
    case .complete(let head):
        if head.path.first != "/" || head.path.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) { fail("bad path \(head.path)", bytes) }
        if head.method.isEmpty || !head.method.utf8.allSatisfy(MetricsRequestParser.isTokenByte) { fail("bad method", bytes) }
        var end = 0
        for i in 3..<bytes.count where bytes[i - 3] == 13 && bytes[i - 2] == 10 && bytes[i - 1] == 13 && bytes[i] == 10 {
            end = i + 1
            break
        }
        for cut in stride(from: 0, to: end, by: end > 512 ? 37 : 1) {
            if MetricsRequestParser.parse(Array(bytes[..<cut]), limits: limits) != .incomplete {
                fail("prefix of \(cut) bytes of a complete request is not incomplete", bytes)
            }
        }
    }
    return 0
}
