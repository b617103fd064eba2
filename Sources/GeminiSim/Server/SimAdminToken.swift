/// The secret that guards the simulator's `/sim/*` admin endpoints.
///
/// The simulator listens on loopback without TLS, so anything on the machine can reach it,
/// including a web page in a local browser: a page can POST to `http://127.0.0.1:PORT/sim/…`
/// (a "simple" cross-origin request needs no preflight) and would otherwise be able to
/// inject faults or add accounts. A page cannot read the token (it is only in the
/// simulator's start log line and its public API), cannot set a custom header without a
/// CORS preflight that the simulator never grants, and always sends `Origin`, which the
/// admin endpoints refuse outright.
public struct SimAdminToken: Sendable, CustomStringConvertible {
    /// The request header that carries the token.
    public static let headerName = "X-Sim-Admin-Token"
    /// Shortest fixed token `SimulatorConfig.adminToken` accepts.
    public static let minimumLength = 16

    /// The token text (64 hex characters when generated).
    public let value: String

    /// A token from 32 bytes of `SystemRandomNumberGenerator` (the kernel's `getrandom` on
    /// Linux, a cryptographically secure source), as 64 lower-case hex characters.
    public static func random() -> SimAdminToken {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for _ in 0..<4 {
            let word = generator.next() as UInt64
            for shift in stride(from: 60, through: 0, by: -4) { text.append(digits[Int((word >> UInt64(shift)) & 0xF)]) }
        }
        return SimAdminToken(value: String(decoding: text, as: UTF8.self))
    }

    /// The fixed token from the configuration, or a random one.
    init(configured: String?) {
        if let configured { self.init(value: configured) } else { self = Self.random() }
    }

    private init(value: String) { self.value = value }

    /// Whether `text` may serve as a fixed token: long enough, and only visible ASCII
    /// (a header value cannot carry control bytes, and spaces would be trimmed).
    public static func isAcceptable(_ text: String) -> Bool {
        text.utf8.count >= minimumLength && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// Whether `presented` is the token, in time that does not depend on where the two
    /// differ (a byte-by-byte early exit would let a local attacker find it by timing).
    /// Only the length can leak, and a generated token's length is public anyway.
    public func matches(_ presented: String) -> Bool {
        let expected = Array(value.utf8), given = Array(presented.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<expected.count { difference |= expected[index] ^ given[index] }
        return difference == 0
    }

    /// Redacted: the token is printed deliberately where it is meant to be, never by accident.
    public var description: String { "SimAdminToken(<redacted>)" }
}
