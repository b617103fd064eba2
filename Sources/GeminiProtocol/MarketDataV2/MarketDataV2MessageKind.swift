/// What kind of message `MarketDataV2Decoder.decode` found.
public enum MarketDataV2MessageKind: Sendable, Equatable {
    case l2Updates, trade, heartbeat, candles, markPrice, fundingAmount, auction
    /// An object with `result`: a reply to a subscribe/unsubscribe request.
    case subscriptionReply
    /// A `subscribe`/`unsubscribe` request — something a client sends, found in a recording.
    case outgoingRequest
    /// A well-formed object whose `type` the decoder does not know; tolerated and counted.
    case unknown
}
