import CastorCore

/// What the engine must do. Sends go through the `RequestScheduler`.
public enum OrderAction: Sendable, Hashable {
    /// First send of a new order (priority `newOrder`; drop it after `deadlineMs`).
    case send(NewOrderRequest)
    /// Send again with the SAME client order id, only ever after a lookup said "not found".
    ///
    /// Why the same id: if the first request did reach the exchange after all (the lookup
    /// raced it), both orders carry one client order id, so the second to show up is
    /// recognised as a duplicate of the intent and cancelled; with a fresh id it would look
    /// like an unrelated order, and the intent would silently trade twice. Exchanges that
    /// refuse duplicate ids (Gemini's newer API has `DuplicateOrder`) refuse it outright.
    case resend(NewOrderRequest, notBeforeMs: Int64)
    /// `/v1/order/status` by `client_order_id` with `include_trades`: the outcome of a send
    /// is unknown. Answer with `lookupResult`.
    case lookup(ClientOrderID, notBeforeMs: Int64)
    /// `/v1/order/status` by `order_id` with `include_trades` (fills missing, order vanished).
    /// Answer with `queryResult`.
    case queryOrder(orderID: VenueOrderID, notBeforeMs: Int64)
    /// `/v1/order/cancel`. Answer with `cancelResult`.
    case sendCancel(orderID: VenueOrderID, notBeforeMs: Int64)
    /// Cancel a second exchange order of one intent (answer with `cancelResult`).
    case cancelDuplicate(orderID: VenueOrderID)
    /// Cancel an open exchange order that carries our prefix but no local intent.
    case cancelUnknown(orderID: VenueOrderID)
    /// Remove this intent's new-order request from the scheduler if still queued; call
    /// `newOrderDropped` if it was.
    case withdrawQueued(ClientOrderID)
    case notifyStrategy(OrderManagerUpdate)
    /// The intent is finished without an order (to the strategy).
    case reject(ClientOrderID, OrderRejection)
    /// Something inconsistent; log it loudly.
    case alert(String)
    /// An expected race that looks odd but is not (see `OrderTransition.isExpectedRace`):
    /// worth a debug line, not an alert.
    case expectedRace(String)
}
