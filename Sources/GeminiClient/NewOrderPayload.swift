import CastorCore
import GeminiProtocol

/// A `POST /v1/order/new` as Castor places it: limit or stop-limit, at most one option,
/// decimals sent as exact strings (API.md §3.1).
///
/// `payloadFields()` validates before anything is signed, so a request Gemini would
/// certainly reject never costs a nonce or a rate-limit slot.
public struct NewOrderPayload: Sendable, Hashable {
    /// The order types Castor sends; Gemini's API has no market orders (emulate with
    /// `.immediateOrCancel` and an aggressive price).
    public enum OrderType: Sendable, Hashable {
        /// `exchange limit`.
        case limit
        /// `exchange stop limit`: rests until the market trades through `stopPrice`.
        /// Buy: stop ≤ price; sell: stop ≥ price. No options allowed.
        case stopLimit(stopPrice: ExactDecimal)

        var wireValue: String {
            switch self {
            case .limit: "exchange limit"
            case .stopLimit: "exchange stop limit"
            }
        }
    }

    /// 1–36 characters of `[:\-_.#a-zA-Z0-9]`; echoed in every order event and the key to
    /// reconciling after an error whose outcome is unknown.
    public var clientOrderID: String
    public var symbol: Symbol
    public var side: Side
    /// Base-currency quantity, a multiple of the symbol's `tick_size`.
    public var amount: ExactDecimal
    /// Limit price, a multiple of the symbol's `quote_increment`.
    public var price: ExactDecimal
    public var type: OrderType
    /// At most one execution option (Gemini accepts one per order).
    public var option: OrderOption?

    public init(
        clientOrderID: String, symbol: Symbol, side: Side, amount: ExactDecimal, price: ExactDecimal,
        type: OrderType = .limit, option: OrderOption? = nil
    ) {
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.amount = amount
        self.price = price
        self.type = type
        self.option = option
    }

    /// Longest client order id the docs' pattern allows (the error table's 100 is looser).
    public static let maxClientOrderIDLength = 36

    /// Nil when `id` is acceptable, else why not.
    public static func clientOrderIDProblem(_ id: String) -> String? {
        if id.isEmpty { return "client_order_id is empty" }
        if id.utf8.count > maxClientOrderIDLength {
            return "client_order_id \(id.debugDescription) is \(id.utf8.count) characters; at most \(maxClientOrderIDLength) allowed"
        }
        let allowed = id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "#"):
                true
            default: false
            }
        }
        return allowed ? nil : "client_order_id \(id.debugDescription) may contain only letters, digits and : - _ . #"
    }

    /// The payload fields after `request` and `nonce`, in Gemini's documented order.
    /// - Throws: `GeminiClientError.invalidRequest` naming the first problem.
    public func payloadFields() throws(GeminiClientError) -> [(String, PayloadValue)] {
        if let problem = Self.clientOrderIDProblem(clientOrderID) { throw .invalidRequest(problem) }
        let symbolText = try GeminiRESTClient.pathSymbol(symbol)
        guard amount.isPositive else { throw .invalidRequest("amount \(amount) must be positive") }
        guard price.isPositive else { throw .invalidRequest("price \(price) must be positive") }
        var fields: [(String, PayloadValue)] = [
            ("client_order_id", .string(clientOrderID)),
            ("symbol", .string(symbolText)),
            ("amount", .string(amount.description)),
            ("price", .string(price.description)),
            ("side", .string(side.rawValue)),
            ("type", .string(type.wireValue)),
        ]
        if case .stopLimit(let stop) = type {
            guard stop.isPositive else { throw .invalidRequest("stop_price \(stop) must be positive") }
            guard option == nil else { throw .invalidRequest("stop-limit orders take no options") }
            if side == .buy, stop > price {
                throw .invalidRequest("buy stop_price \(stop) must not be above the limit price \(price)")
            }
            if side == .sell, stop < price {
                throw .invalidRequest("sell stop_price \(stop) must not be below the limit price \(price)")
            }
            fields.append(("stop_price", .string(stop.description)))
        }
        if let option { fields.append(("options", .stringArray([Self.wireValue(option)]))) }
        return fields
    }

    /// Gemini's spelling of `option` in the `options` array.
    static func wireValue(_ option: OrderOption) -> String {
        switch option {
        case .makerOrCancel: "maker-or-cancel"
        case .immediateOrCancel: "immediate-or-cancel"
        case .fillOrKill: "fill-or-kill"
        }
    }
}
