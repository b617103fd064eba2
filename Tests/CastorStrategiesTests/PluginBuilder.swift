import Foundation

/// Builds the example plug-in package and small C libraries for the loader tests.
enum PluginBuilder {
    /// The repository root (this file is Tests/CastorStrategiesTests/PluginBuilder.swift).
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The example plug-in, built once per test run (a cold build takes about a minute, so
    /// it lives in a git-ignored scratch folder and is incremental afterwards).
    /// The example plug-in's path (built on first use). Async: the build runs on a thread
    /// of its own, so the minute it may take holds no cooperative-pool thread (two tests
    /// blocked on it would starve every async test in the process).
    static func examplePlugin() async -> Result<String, BuildError> {
        await offThread { builtExamplePlugin }
    }

    private static let builtExamplePlugin: Result<String, BuildError> = {
        let scratch = repoRoot.appendingPathComponent(".build-plugin").path
        let package = repoRoot.appendingPathComponent("examples/strategy-plugin").path
        return run(swiftExecutable(), ["build", "--package-path", package, "--scratch-path", scratch]).map { _ in
            "\(scratch)/debug/libExamplePlugin.so"
        }
    }()

    struct BuildError: Error, CustomStringConvertible {
        var description: String
    }

    /// Compiles `source` as a C shared library (or, with `shared: false`, an object file
    /// renamed to `.so`) and returns its path.
    static func cLibrary(named name: String, source: String) async throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("castor-plugin-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let c = dir.appendingPathComponent("\(name).c")
        try source.write(to: c, atomically: true, encoding: .utf8)
        let so = dir.appendingPathComponent("lib\(name).so").path
        let cPath = c.path
        _ = try await offThread { run("/usr/bin/cc", ["-shared", "-fPIC", "-o", so, cPath]) }.get()
        return so
    }

    /// A scratch file with `text` in it.
    static func textFile(named name: String, _ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("castor-\(getpid())-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `body` (which blocks) on a thread of its own and awaits it. This target does not
    /// link CastorTestSupport (whose `offPool` this is); see its OffPool.swift.
    private static func offThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }

    private static func swiftExecutable() -> String {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/opt/swift/usr/bin"]
        return dirs.map { "\($0)/swift" }.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "swift"
    }

    @discardableResult
    private static func run(_ exe: String, _ args: [String]) -> Result<String, BuildError> {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        do { try p.run() } catch { return .failure(BuildError(description: "cannot run \(exe): \(error)")) }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else {
            return .failure(BuildError(description: "\(exe) \(args.joined(separator: " ")) failed (\(p.terminationStatus)):\n\(text.suffix(4000))"))
        }
        return .success(text)
    }
}
