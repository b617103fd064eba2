import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Swift Testing runs `@Test` functions on the Swift concurrency cooperative pool, which has
// one thread per core (two on the project's machines). A test that blocks one of those
// threads (a semaphore wait, `waitUntilExit`, `poll(2)`, a condition variable) takes it from
// every other test in the process; two such tests at once leave no thread for the async code
// of the rest (e.g. the simulator's FlyingFox server, which then cannot even start
// listening). So tests never block on the pool: they `await` the helpers below, which do
// their blocking on a thread of their own and free the pool thread while they wait.

/// Runs `body`, which may block, on a dedicated thread and awaits its result, so the calling
/// task holds no cooperative-pool thread meanwhile. `body` must end by itself (give its
/// waits a deadline): nothing can interrupt it.
public func offPool<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
    let result: Result<T, E> = await withCheckedContinuation { continuation in
        let thread = Thread {
            continuation.resume(returning: Result { () throws(E) -> T in try body() })
        }
        thread.name = "castor-test-off-pool"
        thread.start()
    }
    return try result.get()
}

extension DispatchSemaphore {
    /// `wait(timeout:)` without holding a cooperative-pool thread: true if the semaphore was
    /// signalled within `seconds` (and then taken, exactly as `wait(timeout:)` would).
    public func wait(seconds: Double) async -> Bool {
        await offPool { self.wait(timeout: .now() + seconds) == .success }
    }
}

extension DispatchGroup {
    /// `wait(timeout:)` without holding a cooperative-pool thread: true if every entered
    /// block left within `seconds`.
    public func wait(seconds: Double) async -> Bool {
        await offPool { self.wait(timeout: .now() + seconds) == .success }
    }
}

/// What `runToExit` saw: the exit status and everything written to stdout and stderr.
public struct ProcessOutcome: Sendable {
    public let status: Int32
    public let output: String
}

/// Thrown by `runToExit` when the process could not start or outlived its deadline (it is
/// then killed).
public struct ProcessRunFailure: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Runs `executable` with `arguments` to completion (stdout and stderr collected together)
/// without blocking a cooperative-pool thread; kills it and throws after `seconds`.
public func runToExit(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                      seconds: Double = 300) async throws -> ProcessOutcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    do { try process.run() } catch {
        throw ProcessRunFailure(description: "cannot run \(executable): \(error)")
    }
    let reader = pipe.fileHandleForReading
    // Read to EOF off the pool (a full pipe would otherwise stall the child).
    async let data = offPool { reader.readDataToEndOfFile() }
    guard await exited.wait(seconds: seconds) else {
        process.terminate()
        kill(process.processIdentifier, SIGKILL)
        _ = await data
        throw ProcessRunFailure(description: "\(executable) \(arguments.joined(separator: " ")) still running after \(seconds) s")
    }
    let output = String(decoding: await data, as: UTF8.self)
    return ProcessOutcome(status: process.terminationStatus, output: output)
}
