// libFuzzer harness: the TOML configuration parser and its validation
// (CastorConfiguration.parse, as used by `castor check-config` and SIGHUP reload).
//
// Input: the text of a configuration file (invalid UTF-8 is dropped, as `load` refuses it).
//
// Oracles: no trap (range errors are formatted with the offending value, durations and
// decimals are converted, …); every reported issue names the file and, when it has a
// line, one that exists in the text; `line(of:in:)` never points past the end.

import Foundation

func fail(_ message: String, _ text: String) -> Never {
    fputs("FUZZ ORACLE FAILED: \(message)\n  config: \(text.debugDescription)\n", stderr)
    abort()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
    let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
    do {
        let configuration = try CastorConfiguration.parse(text: text, fileName: "fuzz.toml", environment: [:])
        _ = String(describing: configuration)
    } catch {
        switch error {
        case .invalid(let issues):
            for issue in issues {
                _ = issue.description
                if issue.file != "fuzz.toml" { fail("issue for file \(issue.file)", text) }
                if let line = issue.line, line < 1 || line > lineCount + 1 {
                    fail("issue on line \(line) of a \(lineCount)-line file: \(issue)", text)
                }
            }
        default:
            _ = error.description
        }
    }
    for key in ["venue.name", "engine.shutdown_timeout", "strategy.params.size", "risk.kill_switch", "x.y"] {
        if let line = CastorConfiguration.line(of: key, in: text), line < 1 || line > lineCount + 1 {
            fail("line(of: \(key)) = \(line) in a \(lineCount)-line file", text)
        }
    }
    return 0
}
