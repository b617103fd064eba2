extension Duration {
    /// Whole milliseconds, the fraction truncated (`seconds·1000 + attoseconds/10^15`);
    /// saturates at `Int64.min`/`Int64.max` instead of trapping when out of range.
    ///
    /// The inverse is the standard library's `Duration.milliseconds(_:)`.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        let (total, overflow2) = ms.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if overflow || overflow2 { return seconds < 0 ? .min : .max }
        return total
    }
}
