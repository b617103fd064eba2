extension EngineFeedFactory {
    /// Gemini's `/v2/marketdata` and `/v1/order/events` adapters.
    public static var gemini: EngineFeedFactory {
        EngineFeedFactory(
            makeMarketData: { _ in throw EngineFeedUnavailable("the Gemini market-data adapter is not built into this binary") },
            makeOrderEvents: { _ in throw EngineFeedUnavailable("the Gemini order-events adapter is not built into this binary") })
    }
}
