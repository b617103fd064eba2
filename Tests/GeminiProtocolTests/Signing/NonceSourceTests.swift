import Dispatch
import Foundation
import GeminiProtocol
import Synchronization
import Testing

/// A clock that returns whatever the test sets.
final class ManualClock: NonceClock {
    private let now: Mutex<Int64>
    init(_ start: Int64) { now = Mutex(start) }
    func set(_ value: Int64) { now.withLock { $0 = value } }
    func advance(_ delta: Int64) { now.withLock { $0 += delta } }
    func nowMilliseconds() -> Int64 { now.withLock { $0 } }
}

/// A fresh directory per test, removed afterwards.
struct TemporaryDirectory: ~Copyable {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("castor-nonce-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func fileText(_ path: String) throws -> String {
    String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self)
}

@Suite struct NonceSourceTests {
    static let t0: Int64 = 1_712_045_678_000

    @Test func followsTheClockWhenItAdvances() throws {
        let clock = ManualClock(Self.t0)
        let source = try NonceSource(clock: clock)
        #expect(try source.next() == Nonce(milliseconds: Self.t0))
        clock.advance(250)
        #expect(try source.next() == Nonce(milliseconds: Self.t0 + 250))
        #expect(source.lastIssued == Nonce(milliseconds: Self.t0 + 250))
    }

    @Test func strictlyIncreasesWhenClockStandsStillOrGoesBackwards() throws {
        let clock = ManualClock(Self.t0)
        let source = try NonceSource(clock: clock)
        var issued = [try source.next(), try source.next(), try source.next()]
        clock.set(Self.t0 - 60_000)
        issued.append(try source.next())
        issued.append(try source.next())
        #expect(issued.map(\.milliseconds) == (0..<5).map { Self.t0 + $0 })
    }

    @Test func secondsFormatStepsByWholeSeconds() throws {
        let clock = ManualClock(Self.t0 + 400)
        let source = try NonceSource(clock: clock, format: .seconds)
        let texts = try (0..<3).map { _ in try source.next().text(.seconds) }
        #expect(texts == ["1712045678", "1712045679", "1712045680"])
    }

    @Test func eightThreadsTimesTenThousandAreUniqueAndIncreasingPerThread() throws {
        let source = try NonceSource(clock: ManualClock(Self.t0)) // a clock that never moves
        let results = Mutex<[[Int64]]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            var mine: [Int64] = []
            mine.reserveCapacity(10_000)
            for _ in 0..<10_000 { mine.append((try? source.next())?.milliseconds ?? -1) }
            results.withLock { $0.append(mine) }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 8)
        for perThread in all {
            #expect(zip(perThread, perThread.dropFirst()).allSatisfy { $0 < $1 })
        }
        let flat = all.flatMap { $0 }
        #expect(flat.count == 80_000)
        #expect(Set(flat).count == 80_000)
        #expect(flat.min() == Self.t0 && flat.max() == Self.t0 + 79_999)
    }

    @Test func concurrentPersistedSourceStaysUniqueAndBelowTheMark() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("nonce")
        let source = try NonceSource(clock: ManualClock(Self.t0), persistenceFile: path)
        let results = Mutex<[Int64]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            var mine: [Int64] = []
            for _ in 0..<2_000 { mine.append((try? source.next())?.milliseconds ?? -1) }
            results.withLock { $0.append(contentsOf: mine) }
        }
        let all = results.withLock { $0 }
        #expect(Set(all).count == 16_000 && !all.contains(-1))
        let mark = try #require(Int64(try fileText(path).dropLast()))
        #expect(mark >= all.max()!)
    }

    @Test func reservesAheadAndWritesOnlyWhenTheMarkIsPassed() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("account-abc.nonce")
        let clock = ManualClock(Self.t0)
        let source = try NonceSource(clock: clock, persistenceFile: path, reservationMilliseconds: 5_000)
        #expect(!FileManager.default.fileExists(atPath: path))
        _ = try source.next()
        #expect(try fileText(path) == "\(Self.t0 + 5_000)\n")
        clock.advance(2_000)
        _ = try source.next()
        source.waitForRenewal()
        #expect(try fileText(path) == "\(Self.t0 + 5_000)\n") // first half of the window: no write
        // Jump past the mark without a nonce in the second half: no renewal was due, so
        // this call must write synchronously before it returns.
        clock.advance(3_001)
        let passed = try source.next()
        #expect(try fileText(path) == "\(passed.milliseconds + 5_000)\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    @Test func renewsTheMarkInTheBackgroundBeforeItIsReached() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("nonce")
        let clock = ManualClock(Self.t0)
        let source = try NonceSource(clock: clock, persistenceFile: path, reservationMilliseconds: 5_000)
        _ = try source.next()
        clock.advance(3_000)  // second half of the window: a renewal is queued
        let late = try source.next()
        #expect(late.milliseconds <= Self.t0 + 5_000)
        source.waitForRenewal()
        #expect(try fileText(path) == "\(late.milliseconds + 5_000)\n")
        // The old mark is passed now, and no write is due: the renewed mark covers it.
        clock.advance(2_500)
        let next = try source.next()
        #expect(next.milliseconds > Self.t0 + 5_000)
        source.waitForRenewal()
        #expect(try fileText(path) == "\(late.milliseconds + 5_000)\n")
    }

    @Test func everyIssuedNonceIsCoveredByTheDurableMark() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("nonce")
        let clock = ManualClock(Self.t0)
        let source = try NonceSource(clock: clock, persistenceFile: path, reservationMilliseconds: 200)
        for i in 0..<2_000 {
            clock.advance(Int64(i % 7))
            let nonce = try source.next()
            // A background write may be half-way (temp file written, not yet renamed): the
            // file then still holds the previous durable mark, which must cover the nonce.
            let mark = try #require(Int64(try fileText(path).dropLast()))
            #expect(mark >= nonce.milliseconds, "nonce \(nonce.milliseconds) above the durable mark \(mark)")
        }
    }

    @Test func restartNeverIssuesANonceAtOrBelowAnyEarlierOne() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("nonce")
        let clock = ManualClock(Self.t0)
        var earlier: [Nonce] = []
        do {
            let first = try NonceSource(clock: clock, persistenceFile: path)
            for _ in 0..<100 { earlier.append(try first.next()) }
            first.bump(atLeast: Nonce(milliseconds: Self.t0 + 3_000))
            earlier.append(try first.next())
            first.waitForRenewal()  // a dead process has no write in flight either
        }
        let mark = try #require(Int64(try fileText(path).dropLast()))
        // Restart after the clock was stepped back a minute (NTP correction, new host, …).
        clock.set(Self.t0 - 60_000)
        let second = try NonceSource(clock: clock, persistenceFile: path)
        let resumed = try second.next()
        #expect(resumed > earlier.max()!)
        #expect(resumed.milliseconds == mark + 1) // just past the persisted mark
        #expect(try second.next() > resumed)
        second.waitForRenewal()
        // And a third run right away still continues above the second.
        let third = try NonceSource(clock: clock, persistenceFile: path)
        #expect(try third.next() > resumed)
    }

    @Test func restartWithLaterClockFollowsTheClock() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("nonce")
        let clock = ManualClock(Self.t0)
        _ = try NonceSource(clock: clock, persistenceFile: path).next()
        clock.set(Self.t0 + 3_600_000)
        #expect(try NonceSource(clock: clock, persistenceFile: path).next().milliseconds == Self.t0 + 3_600_000)
    }

    @Test func restartInSecondsFormatMovesToTheNextSecond() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("nonce")
        let clock = ManualClock(Self.t0)
        let before = try NonceSource(clock: clock, format: .seconds, persistenceFile: path).next()
        let after = try NonceSource(clock: clock, format: .seconds, persistenceFile: path).next()
        #expect(Int64(after.text(.seconds))! > Int64(before.text(.seconds))!)
    }

    @Test func corruptFileIsATypedErrorNamingThePath() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("nonce")
        for contents in ["garbage", "", "12a\n", "-5\n", "1712045678.123\n", "99999999999999999999\n"] {
            try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: NonceSourceError.corrupt(path: path, contents: contents)) {
                try NonceSource(clock: ManualClock(Self.t0), persistenceFile: path)
            }
        }
        let message = NonceSourceError.corrupt(path: path, contents: "garbage").description
        #expect(message.contains(path) && message.contains("garbage"))
    }

    @Test func unreadableFileIsATypedError() throws {
        let directory = try TemporaryDirectory()
        // A directory where the file should be: open succeeds, read fails with EISDIR.
        let path = directory.file("nonce")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        #expect(throws: NonceSourceError.unreadable(path: path, errno: EISDIR)) {
            try NonceSource(clock: ManualClock(Self.t0), persistenceFile: path)
        }
    }

    @Test func failedPersistenceIssuesNoNonce() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("missing-dir/nonce")
        let source = try NonceSource(clock: ManualClock(Self.t0), persistenceFile: path)
        #expect(throws: NonceSourceError.writeFailed(path: path + ".tmp", operation: "open", errno: ENOENT)) {
            try source.next()
        }
        #expect(source.lastIssued == nil)
    }

    @Test func bumpAndSkipMoveAheadButNeverBack() throws {
        let clock = ManualClock(Self.t0)
        let source = try NonceSource(clock: clock)
        _ = try source.next()
        source.bump(atLeast: Nonce(milliseconds: Self.t0 + 10_000))
        #expect(try source.next().milliseconds == Self.t0 + 10_001)
        source.bump(atLeast: Nonce(milliseconds: Self.t0)) // lower: ignored
        #expect(try source.next().milliseconds == Self.t0 + 10_002)
        source.skip()
        #expect(try source.next().milliseconds == Self.t0 + 10_002 + 1_000 + 1)
        clock.set(Self.t0 + 50_000)
        source.skip(milliseconds: 500)
        #expect(try source.next().milliseconds == Self.t0 + 50_500 + 1)
    }

    @Test func systemClockIsNearFoundationsClock() {
        let foundation = Int64(Date().timeIntervalSince1970 * 1_000)
        let system = SystemNonceClock().nowMilliseconds()
        #expect(abs(system - foundation) < 60_000) // same epoch and unit; no timing precision asserted
    }
}

/// Whole-second nonces asked for faster than one per second used to run ahead of the clock
/// without bound (`max(now, floor + 1000)`: 4 s gained per second at 5 requests/s), and the
/// mark persisted that far ahead kept a time-based key locked out after a restart.
@Suite struct SecondsNonceLeadTests {
    static let t0: Int64 = 1_712_045_678_000

    @Test func wholeSecondNoncesNeverLeadTheClockPastTheBound() throws {
        let dir = try TemporaryDirectory()
        let clock = ManualClock(Self.t0)
        let source = try NonceSource(clock: clock, format: .seconds, persistenceFile: dir.file("nonce"))
        var issued: [Int64] = [], refused = 0
        // 5 requests a second for a minute.
        for _ in 0..<300 {
            do {
                let n = try source.next().milliseconds
                #expect(n - clock.nowMilliseconds() <= NonceSource.defaultMaxLeadMilliseconds)
                issued.append(n)
            } catch .aheadOfClock(let lead, _) {
                #expect(lead > NonceSource.defaultMaxLeadMilliseconds)
                refused += 1
            }
            let mark = try #require(Int64(try fileText(dir.file("nonce")).trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(mark - clock.nowMilliseconds() <= NonceSource.defaultMaxLeadMilliseconds)
            clock.advance(200)
        }
        #expect(refused > 0)
        #expect(issued == issued.sorted() && Set(issued).count == issued.count)
        // At one a second (the engine's pace for this format) nothing is refused again.
        for _ in 0..<30 {
            clock.advance(1_000)
            _ = try source.next()
        }
    }

    @Test func aMarkFarAheadFromAnEarlierRunRecoversOnceTheClockCatchesUp() throws {
        let dir = try TemporaryDirectory()
        try "\(Self.t0 + 60_000)\n".write(toFile: dir.file("nonce"), atomically: true, encoding: .utf8)
        let clock = ManualClock(Self.t0)
        let source = try NonceSource(clock: clock, format: .seconds, persistenceFile: dir.file("nonce"))
        #expect(throws: NonceSourceError.self) { try source.next() }
        clock.advance(41_000)  // 19 s behind the old mark: within the bound, and above it
        let n = try source.next()
        #expect(n.milliseconds > Self.t0 + 60_000)
    }

    @Test func finerFormatsAreNotBoundedSoCounterKeysCanBumpAhead() throws {
        let clock = ManualClock(Self.t0)
        let source = try NonceSource(clock: clock, format: .milliseconds)
        source.bump(atLeast: Nonce(milliseconds: Self.t0 + 3_600_000))
        #expect(try source.next().milliseconds == Self.t0 + 3_600_001)
    }
}

/// The new WebSocket API's upgrade nonce shares the key's sequence (WS-API.md §1.4).
@Suite struct NonceWholeSecondTests {
    @Test func aWholeSecondAboveTheLastRESTNonceAndBelowTheNext() throws {
        let clock = ManualClock(1_712_045_678_123)
        let source = try NonceSource(clock: clock)
        let rest = try source.next()
        #expect(rest == Nonce(milliseconds: 1_712_045_678_123))
        let upgrade = try source.nextWholeSecond()
        #expect(upgrade == Nonce(seconds: 1_712_045_679))
        #expect(upgrade.text(.seconds) == "1712045679")
        let after = try source.next()
        #expect(after > upgrade)
        // Two upgrades in one second still increase, by a whole second each.
        let a = try source.nextWholeSecond(), b = try source.nextWholeSecond()
        #expect(a.milliseconds % 1_000 == 0 && b.milliseconds % 1_000 == 0 && b > a && a > after)
    }

    @Test func onAWholeSecondTheClockItselfIsUsed() throws {
        let clock = ManualClock(1_700_000_000_000)
        let source = try NonceSource(clock: clock)
        #expect(try source.nextWholeSecond() == Nonce(seconds: 1_700_000_000))
    }
}
