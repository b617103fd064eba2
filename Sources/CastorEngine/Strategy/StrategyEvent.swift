import CastorStrategy

/// A callback for the strategy, delivered after the current one returns (`StrategyRunner`).
enum StrategyEvent {
    case book(String, BookView)
    case trade(MarketTrade)
    case update(StrategyOrderUpdate)
    case fill(StrategyFill)
    case timer(String)
}
