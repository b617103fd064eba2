/// Gemini objects carry their time as `timestampms` (milliseconds) and/or `timestamp`
/// (seconds).
enum EpochMilliseconds {
    /// `milliseconds`, else `seconds` × 1000; nil when both are absent or the seconds
    /// overflow in milliseconds (hostile data must not trap).
    static func from(milliseconds: Int64?, seconds: Int64?) -> Int64? {
        if let milliseconds { return milliseconds }
        guard let seconds else { return nil }
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? nil : ms
    }
}
