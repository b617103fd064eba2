// libFuzzer harness: ExactDecimal parsing, printing, comparison and the overflow-reporting
// arithmetic (`addingReportingOverflow`, `multipliedReportingOverflow`, `rescaled`,
// `quantized`), checked against each other and against the trapping operators.
//
// Input: up to three decimals separated by spaces or newlines; whatever does not parse
// only exercises the parser.
//
// Oracles (abort with a message on failure):
// - `init?(String)` and `init?(utf8:)` agree; a parsed value prints and re-parses to the
//   same mantissa and scale; `normalized` keeps the value and the hash;
// - comparison is a total order consistent with `==`, `hash` and the sign of a - b
//   (when a - b does not overflow);
// - a + b == b + a, a * b == b * a (both nil or equal), (a + b) - b == a, a * 1 == a;
// - when a reporting form returns a value, the trapping operator returns the same value;
// - rescaled(to:) keeps the value; quantized(toStep:) lands on a multiple of the step
//   within one step of the input.
// Any trap (Swift runtime error) is a finding too: these forms are used on network data.

import Glibc

func fail(_ message: String, _ input: String) -> Never {
    fputs("FUZZ ORACLE FAILED: \(message)\n  input: \(input.debugDescription)\n", stderr)
    abort()
}

@inline(__always) func ident(_ a: ExactDecimal, _ b: ExactDecimal) -> Bool {
    a.mantissa == b.mantissa && a.scale == b.scale
}

func sign(_ d: ExactDecimal) -> Int { d.isNegative ? -1 : (d.isZero ? 0 : 1) }

func check(_ a: ExactDecimal, _ b: ExactDecimal, _ input: String) {
    // Ordering.
    let lt = a < b, gt = b < a, eq = a == b
    if (lt ? 1 : 0) + (gt ? 1 : 0) + (eq ? 1 : 0) != 1 { fail("\(a) vs \(b): lt \(lt) gt \(gt) eq \(eq)", input) }
    if eq != (b == a) { fail("== not symmetric for \(a), \(b)", input) }
    if eq, a.hashValue != b.hashValue { fail("equal values \(a), \(b) hash differently", input) }
    // Sum and difference.
    let ab = a.addingReportingOverflow(b), ba = b.addingReportingOverflow(a)
    if (ab == nil) != (ba == nil) || (ab != nil && !ident(ab!, ba!)) { fail("a+b \(String(describing: ab)) != b+a \(String(describing: ba))", input) }
    if let ab {
        if !ident(a + b, ab) { fail("operator + disagrees with addingReportingOverflow", input) }
        if b.mantissa != Int128.min, let back = ab.addingReportingOverflow(-b), back != a {
            fail("(a+b)-b = \(back), a = \(a)", input)
        }
    }
    if b.mantissa != Int128.min, let d = a.addingReportingOverflow(-b) {
        let expected = lt ? -1 : (gt ? 1 : 0)
        if sign(d) != expected { fail("sign(a-b) = \(sign(d)) for \(a) - \(b) = \(d), compare says \(expected)", input) }
        if !ident(a - b, d) { fail("operator - disagrees", input) }
    }
    // Product.
    let p = a.multipliedReportingOverflow(by: b), q = b.multipliedReportingOverflow(by: a)
    if (p == nil) != (q == nil) || (p != nil && !ident(p!, q!)) { fail("a*b \(String(describing: p)) != b*a \(String(describing: q))", input) }
    if let p {
        if !ident(a * b, p) { fail("operator * disagrees with multipliedReportingOverflow", input) }
        // Results of non-trapping arithmetic flow on into magnitude, hashing and printing.
        _ = p.magnitude; _ = p.normalized; _ = p.hashValue; _ = p.description
        if !b.isZero, p.isZero != a.isZero { fail("a*b = 0 but a, b nonzero", input) }
    }
    if let one = a.multipliedReportingOverflow(by: 1), one != a { fail("a*1 = \(one)", input) }
    // Rescaling.
    for s in [UInt8(0), b.scale, UInt8(truncatingIfNeeded: Int(a.scale) + 1), ExactDecimal.maxScale] {
        if let r = a.rescaled(to: s), r != a || r.scale != s { fail("rescaled(to: \(s)) of \(a) = \(r)", input) }
    }
    // Quantization onto b's grid.
    if b.isPositive {
        for rule in [ExactDecimal.RoundingRule.down, .up, .towardZero, .nearest] {
            guard let r = a.quantized(toStep: b, rule: rule) else { continue }
            if !r.isMultiple(of: b) { fail("quantized \(a) to step \(b) (\(rule)) = \(r), not a multiple", input) }
            if let diff = r.addingReportingOverflow(-a), diff.magnitude >= b {
                fail("quantized \(a) to step \(b) (\(rule)) = \(r), off by \(diff)", input)
            }
            switch rule {
            case .down: if r > a { fail("down rounded up: \(a) -> \(r)", input) }
            case .up: if r < a { fail("up rounded down: \(a) -> \(r)", input) }
            case .towardZero: if r.magnitude > a.magnitude { fail("towardZero grew: \(a) -> \(r)", input) }
            case .nearest: break
            }
        }
        _ = a.isMultiple(of: b)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    let input = String(decoding: raw, as: UTF8.self)
    var values: [ExactDecimal] = []
    var start = 0
    var tokens = 0
    while start <= size, tokens < 3 {
        var end = start
        while end < size, raw[end] != 0x20, raw[end] != 0x0A { end += 1 }
        tokens += 1
        // An exactly-sized copy, so ASan sees any over-read by the byte parser.
        let n = end - start
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(n, 1), alignment: 1)
        defer { copy.deallocate() }
        if n > 0 { copy.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: n) }
        let bytes = UnsafeRawBufferPointer(start: copy.baseAddress, count: n)
        let fromBytes = ExactDecimal(utf8: bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        let fromText = ExactDecimal(text)
        if String(validating: bytes, as: UTF8.self) != nil {
            if (fromBytes == nil) != (fromText == nil) || (fromBytes != nil && !ident(fromBytes!, fromText!)) {
                fail("init(utf8:) \(String(describing: fromBytes)) != init(String) \(String(describing: fromText))", input)
            }
        }
        if let v = fromBytes {
            let printed = v.description
            guard let again = ExactDecimal(printed) else { fail("\(printed) (from \(text.debugDescription)) does not re-parse", input) }
            if !ident(again, v) { fail("round trip \(text.debugDescription) -> \(printed) -> \(again.debugDescription)", input) }
            let n = v.normalized
            if n != v || n.hashValue != v.hashValue { fail("normalized \(n) differs from \(v)", input) }
            if v.scale > ExactDecimal.maxScale { fail("scale \(v.scale) > maxScale", input) }
            values.append(v)
        }
        start = end + 1
    }
    for i in values.indices {
        for j in values.indices { check(values[i], values[j], input) }
    }
    if values.count == 3 {
        let (a, b, c) = (values[0], values[1], values[2])
        if a < b, b < c, !(a < c) { fail("< not transitive", input) }
        if a == b, b == c, a != c { fail("== not transitive", input) }
        // Associativity of exact addition when nothing overflows.
        if let ab = a.addingReportingOverflow(b), let l = ab.addingReportingOverflow(c),
           let bc = b.addingReportingOverflow(c), let r = a.addingReportingOverflow(bc), l != r {
            fail("(a+b)+c = \(l) but a+(b+c) = \(r)", input)
        }
    }
    return 0
}
