extension UnknownMessageTally {
    /// Counts everything unknown in an order-events frame: the frame type, event types,
    /// reason codes and order types.
    ///
    /// - Returns: the keys seen for the first time, i.e. what the caller should log now.
    @discardableResult
    public func recordUnknowns(in message: OrderEventsMessage) -> [Key] {
        var firsts: [Key] = []
        func note(_ category: Category, _ name: String) {
            if record(category, name).isFirstSighting { firsts.append(Key(category: category, name: name)) }
        }
        switch message {
        case .unknown(let type, _):
            note(.messageType, type)
        case .error(let body):
            if !body.reason.isKnown { note(.reason, body.reason.rawValue) }
        case .events(let events):
            for event in events {
                if !event.type.isKnown { note(.orderEventType, event.type.wireValue) }
                if let reason = event.reason, !reason.isKnown { note(.reason, reason.rawValue) }
                if let type = event.orderType, !GeminiOrderType.known.contains(type) { note(.orderType, type.rawValue) }
            }
        case .subscriptionAck, .heartbeat:
            break
        }
        return firsts
    }
}
