import ArgumentParser
import Foundation

/// `castor new-strategy NAME`: writes a strategy plug-in package to start from (see
/// `StrategyPackageTemplate`): a manifest building `lib<Target>.so` against a Castor
/// checkout's CastorStrategy product, a minimal working strategy, the entry point, a README
/// and a .gitignore. Exit codes: 0 written, 64 bad arguments (a bad NAME, no or a wrong
/// --castor, an output that exists and is not empty; nothing is written), 73 the package
/// could not be written (nothing is left behind).
struct NewStrategyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-strategy",
        abstract: "Create a strategy plug-in package to build and load with castor.",
        discussion: """
            Writes a SwiftPM package (default folder: ./NAME) whose dynamic library offers the \
            strategy NAME, ready for `swift build` and `[strategy] plugin = { path = ..., name = \
            "NAME" }`. The plug-in compiles against the CastorStrategy product of the Castor \
            source checkout given by --castor, which must be the source this castor was built \
            from (see `castor --version`). \
            Exit codes: 0 written, 64 usage (nothing written), 73 cannot write.
            """
    )

    @Argument(help: "The strategy's name: lowercase letters, digits and '-', starting with a letter (e.g. my-pinger).")
    var name: String

    @Option(help: "The package folder to create; it must not exist or be empty (default: ./NAME).")
    var output: String?

    // Optional to ArgumentParser so its absence gets a message saying what the path is for.
    @Option(help: "Required: the Castor source checkout (of this castor's commit) whose CastorStrategy the plug-in links.")
    var castor: String?

    /// Longest accepted NAME: it becomes a type, a module and a file name.
    static let maximumNameLength = 64

    func run() throws {
        guard let typeName = Self.typeName(for: name) else {
            usage("castor new-strategy: \"\(name)\" is not a strategy name: use lowercase letters, digits and '-', starting with a letter, at most \(Self.maximumNameLength) characters (e.g. my-pinger)")
        }
        guard !StrategyPackageTemplate.reservedTypeNames.contains(typeName) else {
            usage("castor new-strategy: \"\(name)\" would make the Swift class \(typeName), a name the generated code already uses (a CastorStrategy or Swift type); choose another name")
        }
        guard let castor else {
            usage("castor new-strategy: give --castor PATH, the Castor source checkout this castor was built from (`castor --version` prints its commit): the plug-in links its CastorStrategy product and loads only into a castor built from the same source")
        }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        let castorPath = URL(fileURLWithPath: castor, relativeTo: cwd).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: castorPath + "/Package.swift"),
              FileManager.default.fileExists(atPath: castorPath + "/Sources/CastorStrategy", isDirectory: &isDirectory), isDirectory.boolValue
        else {
            usage("castor new-strategy: --castor \(castor): \(castorPath) is not a Castor source checkout (no Package.swift with Sources/CastorStrategy); give the checkout of this castor's commit")
        }
        let destination = URL(fileURLWithPath: output ?? name, relativeTo: cwd).standardizedFileURL
        if let problem = Self.occupied(destination.path) {
            usage("castor new-strategy: \(destination.path) \(problem); nothing was written: give another --output or remove it")
        }

        let template = StrategyPackageTemplate(strategyName: name, typeName: typeName, targetName: typeName + "Plugin", castorPath: castorPath)
        do { try Self.write(template.files, to: destination) } catch {
            ErrorOutput.write(["castor new-strategy: cannot write \(destination.path): \(error.localizedDescription); nothing was left behind"])
            throw ExitCode(RunExitCode.cannotCreate)
        }
        print("""
            created \(destination.path): strategy "\(name)" (class \(typeName)) in lib\(template.targetName).so
            build it:   swift build -c release --package-path \(destination.path)
            configure:  [strategy] plugin = { path = "\(destination.path)/.build/release/lib\(template.targetName).so", name = "\(name)" }
            see \(destination.path)/README.md
            """)
    }

    /// The Swift type name for a valid strategy `name` (`my-pinger` → `MyPinger`), nil if
    /// `name` breaks the rule: lowercase ASCII letters, digits and `-`, starting with a letter.
    static func typeName(for name: String) -> String? {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, first >= 0x61, first <= 0x7A, bytes.count <= maximumNameLength,
              bytes.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D })
        else { return nil }
        return name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// Why `path` cannot take the package (it is a file, or a folder with something in it),
    /// nil if it does not exist or is an empty folder.
    static func occupied(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else { return "exists and is not a folder" }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else { return "cannot be read" }
        return entries.isEmpty ? nil : "exists and is not empty"
    }

    /// Writes the package into a staging folder beside `destination` and renames it into
    /// place, so a failure part-way leaves nothing behind, and an empty `destination` is
    /// replaced in one step (rename(2) replaces an empty directory).
    static func write(_ files: [(path: String, contents: String)], to destination: URL) throws {
        let parent = destination.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(destination.lastPathComponent).castor-new-\(getpid())")
        do {
            for file in files {
                let url = staging.appendingPathComponent(file.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.contents.write(to: url, atomically: false, encoding: .utf8)
            }
            guard rename(staging.path, destination.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "rename into place: \(String(cString: strerror(errno)))"])
            }
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    /// Writes `message` to stderr and exits 64 (usage), as other commands refuse bad input.
    private func usage(_ message: String) -> Never {
        ErrorOutput.write([message])
        Foundation.exit(RunExitCode.usage)
    }
}
