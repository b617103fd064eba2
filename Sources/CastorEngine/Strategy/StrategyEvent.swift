import CastorStrategy

/// A callback for the strategy, delivered after the current one returns (`StrategyRunner`).
enum StrategyEvent {
    case book(String, BookView)
    case trade(MarketTrade)
    case update(OrderUpdate)
    case fill(Fill)
    case timer(String)
}
