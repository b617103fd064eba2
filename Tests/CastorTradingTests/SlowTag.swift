import Testing

extension Tag {
    /// A suite that takes more than about 5 s; `Scripts/test-fast.sh` skips it. The same tag
    /// as CastorTestSupport's `Tag.slow` (tags match by name): this target does not link it.
    @Tag static var slow: Self
}
