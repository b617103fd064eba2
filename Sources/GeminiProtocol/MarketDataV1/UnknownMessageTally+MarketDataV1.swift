extension UnknownMessageTally {
    /// Counts unknown frame and event types in a market data v1 frame.
    ///
    /// - Returns: the keys seen for the first time, i.e. what the caller should log now.
    @discardableResult
    public func recordUnknowns(in message: MarketDataV1Message) -> [Key] {
        var firsts: [Key] = []
        func note(_ category: Category, _ name: String) {
            if record(category, name).isFirstSighting { firsts.append(Key(category: category, name: name)) }
        }
        switch message {
        case .unknown(let type, _):
            note(.messageType, type)
        case .update(let update):
            for case .unknown(let type) in update.events { note(.marketDataEventType, type) }
        case .heartbeat:
            break
        }
        return firsts
    }
}
