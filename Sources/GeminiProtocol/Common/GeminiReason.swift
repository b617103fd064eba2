/// A Gemini `reason` code: the machine-readable part of an error body, a `rejected` or
/// `cancel_rejected` order event, or a cancelled order.
///
/// String-backed rather than an enum because Gemini adds codes without notice and several
/// in-the-wild codes are missing from its table (§4.3); an unknown code must survive decoding
/// so it can be logged and classified by HTTP status instead.
public struct GeminiReason: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// True for codes in Gemini's documented table or seen in the wild; false means a code
    /// this build does not know (kept as sent; worth logging once).
    public var isKnown: Bool { GeminiReason.known.contains(self) }

    // MARK: Documented error table (§4.3)
    public static let clientOrderIdTooLong: GeminiReason = "ClientOrderIdTooLong"
    public static let clientOrderIdMustBeString: GeminiReason = "ClientOrderIdMustBeString"
    public static let conflictingOptions: GeminiReason = "ConflictingOptions"
    public static let conflictingAccountName: GeminiReason = "ConflictingAccountName"
    public static let endpointMismatch: GeminiReason = "EndpointMismatch"
    public static let endpointNotFound: GeminiReason = "EndpointNotFound"
    public static let gtsTradeIDMustBeString: GeminiReason = "GTSTradeIDMustBeString"
    public static let insufficientFunds: GeminiReason = "InsufficientFunds"
    public static let invalidJson: GeminiReason = "InvalidJson"
    public static let invalidNonce: GeminiReason = "InvalidNonce"
    public static let invalidOrderType: GeminiReason = "InvalidOrderType"
    public static let invalidPrice: GeminiReason = "InvalidPrice"
    public static let invalidStopPrice: GeminiReason = "InvalidStopPrice"
    public static let invalidStopPriceSell: GeminiReason = "InvalidStopPriceSell"
    public static let invalidStopPriceBuy: GeminiReason = "InvalidStopPriceBuy"
    public static let invalidStopPriceRatio: GeminiReason = "InvalidStopPriceRatio"
    public static let invalidQuantity: GeminiReason = "InvalidQuantity"
    public static let invalidSide: GeminiReason = "InvalidSide"
    public static let invalidSignature: GeminiReason = "InvalidSignature"
    public static let invalidSymbol: GeminiReason = "InvalidSymbol"
    public static let invalidTimestampInPayload: GeminiReason = "InvalidTimestampInPayload"
    public static let invalidAccountName: GeminiReason = "InvalidAccountName"
    public static let invalidAccountType: GeminiReason = "InvalidAccountType"
    public static let invalidFundTransfer: GeminiReason = "InvalidFundTransfer"
    public static let maintenance: GeminiReason = "Maintenance"
    public static let marketNotOpen: GeminiReason = "MarketNotOpen"
    public static let missingAccountName: GeminiReason = "MissingAccountName"
    public static let missingAccounts: GeminiReason = "MissingAccounts"
    public static let missingApikeyHeader: GeminiReason = "MissingApikeyHeader"
    public static let missingOrderField: GeminiReason = "MissingOrderField"
    public static let missingRole: GeminiReason = "MissingRole"
    public static let missingPayloadHeader: GeminiReason = "MissingPayloadHeader"
    public static let missingPayloadKey: GeminiReason = "MissingPayloadKey"
    public static let missingSignatureHeader: GeminiReason = "MissingSignatureHeader"
    public static let missingName: GeminiReason = "MissingName"
    public static let missingNonce: GeminiReason = "MissingNonce"
    public static let moreThanOneAccount: GeminiReason = "MoreThanOneAccount"
    public static let accountClosed: GeminiReason = "AccountClosed"
    public static let accountsOnGroupOnlyApi: GeminiReason = "AccountsOnGroupOnlyApi"
    public static let accountLimitExceeded: GeminiReason = "AccountLimitExceeded"
    public static let noAccountOfTypeRequired: GeminiReason = "NoAccountOfTypeRequired"
    public static let accountNotOfTypeRequired: GeminiReason = "AccountNotOfTypeRequired"
    public static let notGroupApiCompatible: GeminiReason = "NotGroupApiCompatible"
    public static let exceededMaxAccountsInGroup: GeminiReason = "ExceededMaxAccountsInGroup"
    public static let noSSL: GeminiReason = "NoSSL"
    public static let optionsMustBeArray: GeminiReason = "OptionsMustBeArray"
    public static let orderNotFound: GeminiReason = "OrderNotFound"
    public static let rateLimit: GeminiReason = "RateLimit"
    public static let system: GeminiReason = "System"
    public static let unsupportedOption: GeminiReason = "UnsupportedOption"
    public static let hasNotAgreedToCustodyTerms: GeminiReason = "HasNotAgreedToCustodyTerms"
    public static let badAccountType: GeminiReason = "BadAccountType"
    public static let remoteAddressForbidden: GeminiReason = "RemoteAddressForbidden"

    // MARK: Cancel reasons (§3.2)
    public static let makerOrCancelWouldTake: GeminiReason = "MakerOrCancelWouldTake"
    public static let exceedsPriceLimits: GeminiReason = "ExceedsPriceLimits"
    public static let selfCrossPrevented: GeminiReason = "SelfCrossPrevented"
    public static let immediateOrCancelWouldPost: GeminiReason = "ImmediateOrCancelWouldPost"
    public static let fillOrKillWouldNotFill: GeminiReason = "FillOrKillWouldNotFill"
    public static let requested: GeminiReason = "Requested"
    public static let marketClosed: GeminiReason = "MarketClosed"
    public static let tradingClosed: GeminiReason = "TradingClosed"
    public static let auctionCancelled: GeminiReason = "AuctionCancelled"

    // MARK: Seen in the wild, not in the table
    public static let auctionNotOpen: GeminiReason = "AuctionNotOpen"
    public static let ineligibleTiming: GeminiReason = "IneligibleTiming"
    public static let invalidApiKey: GeminiReason = "InvalidApiKey"
    public static let endpointUnavailableInThisEnvironment: GeminiReason = "EndpointUnavailableInThisEnvironment"
    /// Public endpoints answer an unknown symbol with this (space included).
    public static let badRequest: GeminiReason = "Bad Request"
    /// Only in a ccxt code comment; kept so it classifies like `invalidNonce`.
    public static let badNonce: GeminiReason = "BadNonce"

    /// Every code above.
    public static let known: Set<GeminiReason> = [
        clientOrderIdTooLong, clientOrderIdMustBeString, conflictingOptions, conflictingAccountName,
        endpointMismatch, endpointNotFound, gtsTradeIDMustBeString, insufficientFunds, invalidJson,
        invalidNonce, invalidOrderType, invalidPrice, invalidStopPrice, invalidStopPriceSell,
        invalidStopPriceBuy, invalidStopPriceRatio, invalidQuantity, invalidSide, invalidSignature,
        invalidSymbol, invalidTimestampInPayload, invalidAccountName, invalidAccountType,
        invalidFundTransfer, maintenance, marketNotOpen, missingAccountName, missingAccounts,
        missingApikeyHeader, missingOrderField, missingRole, missingPayloadHeader, missingPayloadKey,
        missingSignatureHeader, missingName, missingNonce, moreThanOneAccount, accountClosed,
        accountsOnGroupOnlyApi, accountLimitExceeded, noAccountOfTypeRequired, accountNotOfTypeRequired,
        notGroupApiCompatible, exceededMaxAccountsInGroup, noSSL, optionsMustBeArray, orderNotFound,
        rateLimit, system, unsupportedOption, hasNotAgreedToCustodyTerms, badAccountType,
        remoteAddressForbidden,
        makerOrCancelWouldTake, exceedsPriceLimits, selfCrossPrevented, immediateOrCancelWouldPost,
        fillOrKillWouldNotFill, requested, marketClosed, tradingClosed, auctionCancelled,
        auctionNotOpen, ineligibleTiming, invalidApiKey, endpointUnavailableInThisEnvironment,
        badRequest, badNonce,
    ]
}
