import Foundation

/// Builds strategy plug-in packages (the example, or one `castor new-strategy` generated)
/// for tests that load them into the built `castor`.
///
/// Builds go to git-ignored scratch folders under the repository root (`.build-plugin`,
/// `.build-plugin-new`, matched by `.build-*/`) so they survive between runs and are
/// incremental: a cold build of a plug-in and its CastorStrategy dependency takes a minute or
/// more on the project's 2-core machines. Two builds into one scratch folder queue on
/// SwiftPM's own lock, so the example may be built here and by CastorStrategiesTests'
/// `PluginBuilder` at once.
public enum PluginPackageBuild {
    /// The repository root (this file is Tests/CastorTestSupport/PluginPackageBuild.swift).
    public static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The scratch folder the example plug-in builds into (shared with `PluginBuilder`).
    public static var exampleScratch: String { repoRoot.appendingPathComponent(".build-plugin").path }

    /// Builds the package at `package` into `scratch` and returns the path of
    /// `lib<product>.so` in its debug output. Throws with SwiftPM's output when it fails.
    public static func build(package: String, scratch: String, product: String, seconds: Double = 900) async throws -> String {
        let outcome = try await runToExit(swiftExecutable, ["build", "--package-path", package, "--scratch-path", scratch],
                                          seconds: seconds)
        guard outcome.status == 0 else {
            throw ProcessRunFailure(description: "swift build --package-path \(package) failed (\(outcome.status)):\n\(outcome.output.suffix(4000))")
        }
        let library = "\(scratch)/debug/lib\(product).so"
        guard FileManager.default.fileExists(atPath: library) else {
            throw ProcessRunFailure(description: "swift build of \(package) succeeded but \(library) is missing")
        }
        return library
    }

    /// The example plug-in (examples/strategy-plugin), built once per test process (on first
    /// use; parameterised cases then share the one build).
    public static func examplePlugin() async throws -> String {
        try await exampleBuild.value
    }

    private static let exampleBuild = Task {
        try await build(package: repoRoot.appendingPathComponent("examples/strategy-plugin").path,
                        scratch: exampleScratch, product: "ExamplePlugin")
    }

    /// `swift` from PATH, else the toolchain's usual place.
    public static var swiftExecutable: String {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/opt/swift/usr/bin"]
        return dirs.map { "\($0)/swift" }.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/swift"
    }
}
