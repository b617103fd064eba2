import Testing

extension Tag {
    /// A suite that takes more than about 5 s on the project's 2-core machines (processes
    /// spawned, simulated minutes, property runs). `Scripts/test-fast.sh` skips every suite
    /// tagged with it; plain `swift test` (and CI) runs them all. Test targets that do not
    /// link CastorTestSupport declare the same tag themselves (tags are matched by name).
    @Tag public static var slow: Self
}
