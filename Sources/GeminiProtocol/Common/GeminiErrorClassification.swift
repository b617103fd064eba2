/// What a client should do about a Gemini error, following the mapping ccxt uses (§4.3).
///
/// The reason code decides when it is known; otherwise the HTTP status does, so an unknown
/// reason still gets a sensible action.
public enum GeminiErrorClassification: String, Sendable, Hashable, CaseIterable {
    /// The nonce was rejected: regenerate a nonce and retry once.
    case retryWithNewNonce
    /// Keys, signature, roles or account setup are wrong: stop and fix configuration;
    /// retrying cannot help.
    case fatalConfiguration
    /// The order does not exist (or not for this key).
    case orderNotFound
    /// This request was refused on its merits (funds, price, quantity, options, market
    /// closed): do not resend it unchanged.
    case reject
    /// Rate limited: slow down, then retry.
    case backOff
    /// Server trouble: retry with backoff, but only requests that are safe to repeat
    /// (reads, cancels); never blindly resend an order placement.
    case retryIdempotentOnly
    /// The exchange is in maintenance: stop trading until it is back.
    case halt

    /// Classifies by reason first, then by HTTP status.
    public init(reason: GeminiReason?, httpStatus: Int?) {
        if let reason, let byReason = GeminiErrorClassification.byReason[reason] {
            self = byReason
            return
        }
        self = GeminiErrorClassification(httpStatus: httpStatus)
    }

    /// Classification from the status alone (non-JSON bodies, unknown reasons).
    public init(httpStatus: Int?) {
        switch httpStatus {
        case 401, 403: self = .fatalConfiguration
        case 404: self = .orderNotFound
        case 429: self = .backOff
        case 503: self = .halt
        case .some(let status) where status >= 500: self = .retryIdempotentOnly
        default: self = .reject
        }
    }

    private static let byReason: [GeminiReason: GeminiErrorClassification] = {
        var table: [GeminiReason: GeminiErrorClassification] = [:]
        for r: GeminiReason in [.invalidNonce, .badNonce] { table[r] = .retryWithNewNonce }
        let fatal: [GeminiReason] = [
            .invalidSignature, .missingApikeyHeader, .missingPayloadHeader, .missingSignatureHeader,
            .missingPayloadKey, .missingNonce, .missingRole, .invalidApiKey, .noSSL,
            .remoteAddressForbidden, .accountsOnGroupOnlyApi, .notGroupApiCompatible,
            .hasNotAgreedToCustodyTerms, .accountClosed, .invalidAccountName, .missingAccountName,
            .missingAccounts, .moreThanOneAccount, .conflictingAccountName, .badAccountType,
            .invalidAccountType, .noAccountOfTypeRequired, .accountNotOfTypeRequired,
            .endpointMismatch, .endpointNotFound, .endpointUnavailableInThisEnvironment,
            .exceededMaxAccountsInGroup, .accountLimitExceeded,
        ]
        for r in fatal { table[r] = .fatalConfiguration }
        table[.orderNotFound] = .orderNotFound
        table[.rateLimit] = .backOff
        table[.system] = .retryIdempotentOnly
        table[.maintenance] = .halt
        let rejects: [GeminiReason] = [
            .insufficientFunds, .invalidPrice, .invalidQuantity, .invalidSide, .invalidSymbol,
            .invalidOrderType, .invalidStopPrice, .invalidStopPriceBuy, .invalidStopPriceSell,
            .invalidStopPriceRatio, .conflictingOptions, .unsupportedOption, .optionsMustBeArray,
            .clientOrderIdTooLong, .clientOrderIdMustBeString, .gtsTradeIDMustBeString,
            .marketNotOpen, .auctionNotOpen, .ineligibleTiming, .invalidTimestampInPayload,
            .missingOrderField, .missingName, .invalidJson, .invalidFundTransfer, .badRequest,
            .makerOrCancelWouldTake, .exceedsPriceLimits, .selfCrossPrevented,
            .immediateOrCancelWouldPost, .fillOrKillWouldNotFill, .marketClosed, .tradingClosed,
            .auctionCancelled, .requested,
        ]
        // Cancel reasons are not errors, but if one ever arrives in an error body the
        // order is gone for good: nothing to retry.
        for r in rejects { table[r] = .reject }
        return table
    }()
}
