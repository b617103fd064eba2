import CastorTestSupport
import Foundation
import Testing

/// `deploy/man/castor.1` is generated (Scripts/generate-man.sh) and committed, because the
/// generator builds every product in release mode. This keeps it from drifting: every
/// subcommand `castor --help` lists has its entry in the page.
@Suite struct ManualPageTests {
    @Test func theCommittedManualPageNamesEverySubcommand() async throws {
        let binary = try #require(CastorExecutable.path)
        let help = try await runToExit(binary, ["--help"], seconds: 30)
        #expect(help.status == 0)
        // The SUBCOMMANDS block: "  name   description", up to the blank line before "See ...".
        let lines = help.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "SUBCOMMANDS:"))
        let names = lines[(start + 1)...]
            .prefix { !$0.isEmpty }
            .compactMap { line -> String? in
                guard line.hasPrefix("  "), line.dropFirst(2).first != " " else { return nil } // wrapped descriptions
                return line.split(separator: " ").first.map(String.init)
            }
        #expect(names.count >= 9, "\(help.output)")
        let page = try String(contentsOf: UnitFileRoot.repoRoot.appendingPathComponent("deploy/man/castor.1"), encoding: .utf8)
        for name in names {
            #expect(page.contains(".It Em \(name)\n"), "deploy/man/castor.1 has no entry for \(name): run Scripts/generate-man.sh")
        }
    }
}
