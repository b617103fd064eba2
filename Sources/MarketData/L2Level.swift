import Glibc
import CastorCore
import GeminiProtocol

/// A price level as reported to callers.
public struct L2Level: Sendable, Equatable, CustomStringConvertible {
    public var price: ExactDecimal
    public var quantity: ExactDecimal
    public init(price: ExactDecimal, quantity: ExactDecimal) {
        self.price = price
        self.quantity = quantity
    }
    public var description: String { "\(quantity) @ \(price)" }
}
