import Foundation

/// Where the built `castor` executable is, for tests that run it as a child process.
public enum CastorExecutable {
    /// `CASTOR_BINARY` if set; else the `castor` next to the running test bundle (the build
    /// directory of whatever `--scratch-path` was used); else `.build/debug` or
    /// `.build/release` of the package. Nil if none exists, so suites can say "build it
    /// first" instead of failing obscurely.
    ///
    /// The test bundle's own directory comes first so that a stale `.build/debug/castor`
    /// from an earlier default build never stands in for the one just built.
    public static let path: String? = {
        if let path = ProcessInfo.processInfo.environment["CASTOR_BINARY"], !path.isEmpty { return path }
        return candidates().first(where: isExecutableFile)
    }()

    /// Every place `path` looks, in order (after `CASTOR_BINARY`).
    static func candidates() -> [String] {
        var found: [String] = []
        let starts = [CommandLine.arguments.first.map { URL(fileURLWithPath: $0) }, Bundle.main.executableURL,
                      URL(fileURLWithPath: Bundle.main.bundlePath)].compactMap { $0 }
        for start in starts {
            // A few levels up covers `<build>/debug/X.xctest` and `X.xctest/Contents/MacOS/X`.
            var url = start.deletingLastPathComponent()
            for _ in 0 ..< 4 {
                found.append(url.appendingPathComponent("castor").path)
                url = url.deletingLastPathComponent()
            }
        }
        var root = URL(fileURLWithPath: #filePath)
        while root.path != "/" {
            root.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { break }
        }
        found += [".build/debug/castor", ".build/release/castor"].map { root.appendingPathComponent($0).path }
        return found
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }
}
