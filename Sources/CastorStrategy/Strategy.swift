/// A trading strategy, driven by the engine.
///
/// Threading: every method is called on the engine's single serial queue, never
/// concurrently, and the `context` passed in may only be used during the call (do not
/// keep it, do not call it from other threads). A strategy therefore needs no locks.
///
/// Lifecycle: the engine creates the strategy through its ``StrategyFactory``, calls
/// `adopt(openOrders:)` if it hands over orders from a previous strategy, then
/// `start(context:)`, then market, order and timer callbacks, and finally
/// `stop(context:)`. On SIGHUP with unchanged strategy name the engine calls
/// `reconfigure(parameters:)` instead of replacing the instance.
public protocol Strategy: AnyObject {
    /// Called once before any other callback with a context; subscribe timers and place
    /// initial orders here.
    func start(context: any StrategyContext)

    /// Called once when the strategy is being replaced or the engine shuts down. Its open
    /// orders are the engine's to dispose of: cancelled, handed over (`on_switch`) or left
    /// on the exchange (`cancel_on_shutdown = false`). Cancels and new orders made from
    /// here are ignored; release timers and state only.
    func stop(context: any StrategyContext)

    /// The book of a subscribed symbol changed.
    func onBook(symbol: String, book: BookView, context: any StrategyContext)

    /// A public trade printed on a subscribed symbol.
    func onTrade(_ trade: MarketTrade, context: any StrategyContext)

    /// One of our orders changed state.
    func onOrderUpdate(_ update: OrderUpdate, context: any StrategyContext)

    /// One of our orders (partly) executed. Delivered before the matching order update.
    func onFill(_ fill: Fill, context: any StrategyContext)

    /// Timer `id` (armed with ``StrategyContext/setTimer(id:after:)``) fired.
    func onTimer(id: String, context: any StrategyContext)

    /// Applies new parameters live (SIGHUP). Must validate everything before changing
    /// anything: on a throw the old parameters stay in force. Takes effect from the next
    /// callback.
    func reconfigure(parameters: StrategyParameters) throws

    /// Takes ownership of open orders left by the previous strategy on a switch, instead
    /// of the engine cancelling them. Called before `start`. Returns the client order ids
    /// it did NOT adopt, which the engine then cancels. The default adopts none.
    func adopt(openOrders: [OrderView]) -> [String]
}

extension Strategy {
    public func onTrade(_ trade: MarketTrade, context: any StrategyContext) {}
    public func onOrderUpdate(_ update: OrderUpdate, context: any StrategyContext) {}
    public func onFill(_ fill: Fill, context: any StrategyContext) {}
    public func onTimer(id: String, context: any StrategyContext) {}
    public func adopt(openOrders: [OrderView]) -> [String] { openOrders.map(\.clientOrderID) }
}
