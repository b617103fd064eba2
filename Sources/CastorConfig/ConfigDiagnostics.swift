import CastorCore
import Foundation
/// Collects every problem found while reading one file, with file and line attached.
///
/// Validation never stops at the first problem: an operator fixing a file wants the whole
/// list in one `castor check-config` run.
final class ConfigDiagnostics {
    let fileName: String
    private let locator: TOMLKeyLocator
    private(set) var issues: [ConfigurationIssue] = []
    /// Paths already reported as secrets, so they are not reported again as unknown keys.
    private var secretPaths: Set<[String]> = []

    init(fileName: String, text: String) {
        self.fileName = fileName
        locator = TOMLKeyLocator(text: text)
    }

    func report(_ path: [String], _ problem: ConfigurationProblem, index: Int? = nil) {
        var keyPath = path.map(Self.displayKey).joined(separator: ".")
        if let index { keyPath += "[\(index)]" }
        issues.append(ConfigurationIssue(file: fileName, line: locator.line(of: path), keyPath: keyPath, problem: problem))
    }

    static func locate(_ diagnostics: ConfigDiagnostics, _ path: [String]) -> Int? {
        diagnostics.locator.line(of: path)
    }

    func isSecret(_ path: [String]) -> Bool { secretPaths.contains(path) }

    /// Reports every key anywhere in the file whose name looks like a secret.
    func scanForSecrets(_ node: ConfigNode, path: [String] = []) {
        switch node {
        case .table(let entries):
            for (key, child) in entries {
                let childPath = path + [key]
                if Self.looksLikeSecret(key) {
                    secretPaths.insert(childPath)
                    report(childPath, .secretInFile)
                } else {
                    scanForSecrets(child, path: childPath)
                }
            }
        case .array(let elements):
            for element in elements { scanForSecrets(element, path: path) }
        default:
            break
        }
    }

    static func looksLikeSecret(_ key: String) -> Bool {
        let k = key.lowercased().replacingOccurrences(of: "-", with: "_")
        return ["secret", "password", "passphrase", "token", "api_key", "apikey", "private_key", "signature"]
            .contains { k == $0 || k.hasSuffix($0) }
    }

    /// Keys with dots or spaces are quoted so the path can be pasted back into the file.
    private static func displayKey(_ key: String) -> String {
        key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } && !key.isEmpty ? key : "\"\(key)\""
    }

    /// The closest of `candidates` to `key` if it is close enough to be a plausible typo.
    static func suggestion(for key: String, among candidates: [String]) -> String? {
        SpellingSuggestion.suggestion(for: key, among: candidates)
    }
}
