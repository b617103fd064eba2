import ArgumentParser
import CastorSimCommand
#if canImport(Glibc)
import Glibc
#endif

/// `castor sim`: the local Gemini exchange simulator, which is its own executable
/// (`castor-sim`, installed next to `castor`) so that the daemon's binary does not carry it.
/// The options are parsed here too (for `castor sim --help` and early errors), then this
/// process becomes `castor-sim` with the same arguments (`execv`: same pid, same stdio).
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: SimOptions.abstract,
        discussion: "Runs castor-sim from the directory of this castor executable with the same arguments."
    )

    @OptionGroup var options: SimOptions

    func run() throws {
        let path = try SimExecutable.path()
        // Everything after the `sim` subcommand, exactly as given.
        let all = CommandLine.arguments
        let rest = all.firstIndex(of: "sim").map { Array(all[(all.index(after: $0))...]) } ?? []
        let argv = [path] + rest
        var cStrings = argv.map { strdup($0) }
        cStrings.append(nil)
        execv(path, cStrings)
        let code = errno
        throw SimExecutable.Failure(message: "castor sim: cannot run \(path): \(String(cString: strerror(code))) (errno \(code))")
    }
}

/// Where `castor-sim` is: next to this executable (the kernel's `/proc/self/exe`, so a
/// symbolic link such as /usr/local/bin/castor → /usr/local/lib/castor/castor leads to the
/// real directory).
enum SimExecutable {
    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    static func path() throws(Failure) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else {
            throw Failure(message: "castor sim: cannot read /proc/self/exe (errno \(errno)) to find castor-sim next to castor")
        }
        let me = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let directory = me.lastIndex(of: "/").map { String(me[..<$0]) } ?? "."
        let path = directory + "/castor-sim"
        guard access(path, X_OK) == 0 else {
            throw Failure(message: "castor sim: \(path) is missing or not executable; castor-sim is installed next to castor "
                + "(deploy/install.sh) or built with it (swift build --product castor-sim)")
        }
        return path
    }
}
