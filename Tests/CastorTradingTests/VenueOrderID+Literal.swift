import CastorCore

/// Test fixtures write exchange order ids as string literals, as the wire carries them.
/// Only for literals in tests: a non-numeric one is a mistake in the test and traps.
extension VenueOrderID: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        guard let id = VenueOrderID(value) else { preconditionFailure("not a venue order id literal: \(value)") }
        self = id
    }
}
