import CastorTestSupport
import Foundation
import Testing

/// `castor new-strategy`: the package it writes, what it refuses, and that the package
/// builds against this checkout into a plug-in the built `castor` loads and trades with.
@Suite(.timeLimit(.minutes(1)), .enabled(if: CastorExecutable.path != nil, "build the castor product first"))
struct NewStrategyCommandTests {
    static var binary: String { CastorExecutable.path ?? "/nonexistent/castor" }
    static var repoRoot: String { UnitFileRoot.repoRoot.path }

    /// Every file below `dir`, relative, sorted (hidden ones included).
    static func files(in dir: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: dir.path) else { return [] }
        return walker.compactMap { $0 as? String }.filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    static let packageFiles = [".gitignore", "Package.swift", "README.md", "Sources/MyPingerPlugin/MyPinger.swift",
                               "Sources/MyPingerPlugin/Plugin.swift"]

    @Test func writesAPackageNamedAfterTheStrategy() async throws {
        let dir = try CastorCommandTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let package = dir.appendingPathComponent("pinger")
        let made = try await runToExit(Self.binary, ["new-strategy", "my-pinger", "--output", package.path, "--castor", Self.repoRoot],
                                       environment: CastorCommandTests.environment, seconds: 30)
        #expect(made.status == 0, "\(made.output)")
        #expect(Self.files(in: package) == Self.packageFiles)
        // Nothing else beside it: the staging folder was renamed into place.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["pinger"])

        let manifest = try String(contentsOf: package.appendingPathComponent("Package.swift"), encoding: .utf8)
        #expect(manifest.contains(#".library(name: "MyPingerPlugin", type: .dynamic, targets: ["MyPingerPlugin"])"#), "\(manifest)")
        #expect(manifest.contains(#"let castorPath = "\#(Self.repoRoot)""#), "\(manifest)")
        #expect(manifest.contains(#".product(name: "CastorStrategy", package: castorIdentity)"#))
        let plugin = try String(contentsOf: package.appendingPathComponent("Sources/MyPingerPlugin/Plugin.swift"), encoding: .utf8)
        #expect(plugin.contains(#"@_cdecl("castor_strategy_plugin_v1")"#) && plugin.contains("StrategyPluginRegistration.export("))
        #expect(plugin.contains(#"ClosureStrategyFactory(name: "my-pinger""#) && plugin.contains("try MyPinger(parameters: $0)"))
        let strategy = try String(contentsOf: package.appendingPathComponent("Sources/MyPingerPlugin/MyPinger.swift"), encoding: .utf8)
        #expect(strategy.contains("final class MyPinger: Strategy {"))
        let readme = try String(contentsOf: package.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains(#"plugin = { path = "/opt/castor/plugins/libMyPingerPlugin.so", name = "my-pinger" }"#))
        #expect(readme.contains("castor --version"), "the README says which checkout to build against")
        #expect(try String(contentsOf: package.appendingPathComponent(".gitignore"), encoding: .utf8).contains(".build/"))

        // Without --output: ./NAME in the working directory. An empty folder is taken too.
        let cwd = dir.appendingPathComponent("cwd")
        try FileManager.default.createDirectory(at: cwd.appendingPathComponent("my-pinger"), withIntermediateDirectories: true)
        let here = try await runToExit("/bin/sh", ["-c", #"cd "$1" && exec "$2" new-strategy my-pinger --castor "$3""#, "sh",
                                                   cwd.path, Self.binary, Self.repoRoot],
                                       environment: CastorCommandTests.environment, seconds: 30)
        #expect(here.status == 0, "\(here.output)")
        #expect(Self.files(in: cwd.appendingPathComponent("my-pinger")) == Self.packageFiles)
    }

    @Test func refusesABadNameWithExit64AndWritesNothing() async throws {
        let dir = try CastorCommandTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rule = "use lowercase letters, digits and '-', starting with a letter"
        let tooLong = "a" + String(repeating: "b", count: 64)
        for name in ["My-Pinger", "1pinger", "my_pinger", "-pinger", "my pinger", "pinger!", "grüezi", tooLong] {
            let out = dir.appendingPathComponent("out")
            // After `--`, so "-pinger" reaches the command rather than the option parser.
            let refused = try await runToExit(Self.binary, ["new-strategy", "--output", out.path, "--castor", Self.repoRoot, "--", name],
                                              environment: CastorCommandTests.environment, seconds: 30)
            #expect(refused.status == 64, "\(name): exit \(refused.status), \(refused.output)")
            #expect(refused.output.contains(rule), "\(name): \(refused.output)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "\(name): something was written")
        }
        // A valid name whose class would shadow a type the generated code uses.
        let shadowing = try await runToExit(Self.binary, ["new-strategy", "book-view", "--output", dir.appendingPathComponent("out").path,
                                                          "--castor", Self.repoRoot],
                                            environment: CastorCommandTests.environment, seconds: 30)
        #expect(shadowing.status == 64 && shadowing.output.contains("Swift class BookView"), "\(shadowing.output)")
        // No --castor, or one that is not a Castor checkout.
        let noCastor = try await runToExit(Self.binary, ["new-strategy", "my-pinger", "--output", dir.appendingPathComponent("out").path],
                                           environment: CastorCommandTests.environment, seconds: 30)
        #expect(noCastor.status == 64 && noCastor.output.contains("give --castor PATH"), "\(noCastor.output)")
        let notCastor = try await runToExit(Self.binary, ["new-strategy", "my-pinger", "--output", dir.appendingPathComponent("out").path,
                                                          "--castor", dir.path],
                                            environment: CastorCommandTests.environment, seconds: 30)
        #expect(notCastor.status == 64 && notCastor.output.contains("is not a Castor source checkout"), "\(notCastor.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func refusesAnExistingNonEmptyFolderAndWritesNothing() async throws {
        let dir = try CastorCommandTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keep = dir.appendingPathComponent("existing/keep.txt")
        try FileManager.default.createDirectory(at: keep.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "mine\n".write(to: keep, atomically: true, encoding: .utf8)
        let refused = try await runToExit(Self.binary, ["new-strategy", "my-pinger", "--output", keep.deletingLastPathComponent().path,
                                                        "--castor", Self.repoRoot],
                                          environment: CastorCommandTests.environment, seconds: 30)
        #expect(refused.status == 64, "\(refused.output)")
        #expect(refused.output.contains("exists and is not empty") && refused.output.contains("nothing was written"), "\(refused.output)")
        #expect(Self.files(in: dir) == ["existing/keep.txt"])
        #expect(try String(contentsOf: keep, encoding: .utf8) == "mine\n")
    }
}

/// The slow half: the generated package is compiled against this checkout (a cold build of
/// CastorStrategy and the plug-in takes a minute or more) and run by `castor backtest`,
/// which loads it through `PluginLoader` as `castor run` would.
@Suite(.tags(.slow), .timeLimit(.minutes(20)), .enabled(if: CastorExecutable.path != nil, "build the castor product first"))
struct NewStrategyBuildTests {
    @Test func theGeneratedPackageBuildsAndItsStrategyTradesInABacktest() async throws {
        let castor = try #require(CastorExecutable.path)
        // A fixed place in git-ignored scratch (`.build-*/`), so the build stays incremental
        // from run to run; regenerated every time, since new-strategy refuses a full folder.
        let root = UnitFileRoot.repoRoot.appendingPathComponent(".build-plugin-new")
        let package = root.appendingPathComponent("generated/my-pinger")
        try? FileManager.default.removeItem(at: package)
        let made = try await runToExit(castor, ["new-strategy", "my-pinger", "--output", package.path, "--castor", UnitFileRoot.repoRoot.path],
                                       environment: CastorCommandTests.environment, seconds: 30)
        try #require(made.status == 0, "\(made.output)")
        let library = try await PluginPackageBuild.build(package: package.path, scratch: root.appendingPathComponent("scratch").path,
                                                         product: "MyPingerPlugin")

        let dir = try CastorCommandTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The generated README's configuration; offset_bps = 50 puts the bid at 99.50, where
        // nothing is displayed ahead of it, so the sell printed there at 200 ms fills it.
        func config(_ name: String) throws -> String {
            let file = dir.appendingPathComponent("\(name).toml")
            try """
                [engine]
                symbols = ["BTCUSD"]

                [strategy]
                plugin = { path = "\(library)", name = "\(name)" }

                [strategy.params]
                symbol = "BTCUSD"
                offset_bps = 50
                """.write(to: file, atomically: true, encoding: .utf8)
            return file.path
        }
        let t0 = 1_700_000_000
        let recording = dir.appendingPathComponent("btcusd.txt")
        try [
            "\(t0).000: " + #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","100.00","2"],["buy","99.00","1"],["sell","101.00","1"],["sell","102.00","3"]],"trades":[]}"#,
            "\(t0).200: " + #"{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":\#(t0 * 1000 + 200),"price":"99.50","quantity":"0.1","side":"sell"}"#,
            "\(t0).300: " + #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","99.00","2"]]}"#,
        ].joined(separator: "\n").appending("\n").write(to: recording, atomically: true, encoding: .utf8)

        let run = try await runToExit(castor, ["backtest", recording.path, "--config", try config("my-pinger"), "--format", "json",
                                               "--no-timing", "--log-level", "info"],
                                      environment: CastorCommandTests.environment, seconds: 120)
        #expect(run.status == 0, "castor backtest: exit \(run.status)\n\(run.output)")
        #expect(run.output.contains("my-pinger placed") && run.output.contains("my-pinger filled"), "\(run.output)")
        let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "no JSON report in\n\(run.output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(report["strategy"] as? String == "my-pinger")
        #expect((report["orders"] as? Int ?? 0) >= 1 && report["fills"] as? Int == 1, "\(line)")

        // The library names its one strategy: asking it for another lists what it offers.
        let other = try await runToExit(castor, ["backtest", recording.path, "--config", try config("nope")],
                                        environment: CastorCommandTests.environment, seconds: 120)
        #expect(other.status != 0)
        #expect(other.output.contains(#"has no strategy "nope" (it offers: my-pinger)"#), "\(other.output)")
    }
}
