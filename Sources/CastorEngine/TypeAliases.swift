import CastorConfig
import CastorStrategy
import CastorTrading
import GeminiClient
import GeminiProtocol

// Several modules the engine joins name their own `Side`, `Fill`, `OrderUpdate`,
// `Balance`, `RiskLimits` and `NewOrderRequest`; these aliases keep every file of the
// engine unambiguous about which one it means.

/// A fill as the order manager and ledger count it.
typealias LedgerFill = CastorTrading.Fill
/// A fill as a strategy sees it.
typealias StrategyFill = CastorStrategy.Fill
/// Order-manager news.
typealias ManagerUpdate = CastorTrading.OrderUpdate
/// Order news for a strategy.
typealias StrategyOrderUpdate = CastorStrategy.OrderUpdate
/// The order manager's new-order body.
typealias ManagerNewOrder = CastorTrading.NewOrderRequest
/// The REST client's new-order body.
typealias WireNewOrder = GeminiClient.NewOrderRequest
/// `[risk]` limits as configured.
typealias ConfiguredRiskLimits = CastorConfig.RiskLimits
/// Limits as the risk checker enforces them.
typealias CheckerRiskLimits = CastorTrading.RiskLimits
/// The strategy parameters type a strategy receives.
typealias StrategyParams = CastorStrategy.StrategyParameters
