#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GeminiProtocol

/// Finds the Gemini API key and secret; never in the config file.
///
/// Sources, in order:
/// 1. systemd credentials: files `castor-api-key` and `castor-api-secret` in
///    `$CREDENTIALS_DIRECTORY` (`LoadCredential=` in the unit; systemd makes them 0400 and
///    owned by the service user);
/// 2. the environment: `CASTOR_API_KEY` and `CASTOR_API_SECRET`.
///
/// Credential files readable by group or others are refused: a secret that other users can
/// read is already leaked. The secret file is read into a byte buffer that is wiped after
/// `APICredentials` copied it. Environment and file system root are injected for tests.
///
/// What can and cannot be wiped: file bytes and the secret's own buffer (`APICredentials`
/// keeps it in one buffer zeroed on release; OpenSSL's HMAC context wipes its copy when
/// freed) can. A secret from the environment arrives as a Swift `String` (the
/// `ProcessInfo` dictionary), which cannot be wiped reliably: it is converted to bytes at
/// once and the temporary byte arrays are wiped, and `castor run` removes the variable from
/// the process (`removeSecretsFromEnvironment`) and keeps the credentials in memory for
/// reloads instead (`reload(for:fromEnvironment:)`). Prefer `LoadCredential=` files.
public struct CredentialsLoader: Sendable {
    /// File name of the API key name inside `$CREDENTIALS_DIRECTORY`.
    public static let keyFileName = "castor-api-key"
    /// File name of the API secret inside `$CREDENTIALS_DIRECTORY`.
    public static let secretFileName = "castor-api-secret"

    private let environment: [String: String]
    private let root: String

    /// - Parameters:
    ///   - environment: the process environment (inject a dictionary in tests).
    ///   - fileSystemRoot: prefix for `$CREDENTIALS_DIRECTORY` (tests point it at a temp dir).
    public init(environment: [String: String], fileSystemRoot: String = "") {
        self.environment = environment
        root = fileSystemRoot
    }

    /// The environment variables that carry secret material; removed by
    /// `removeSecretsFromEnvironment` (`CASTOR_API_KEY` is a key name, logged anyway).
    public static let secretEnvironmentVariables = ["CASTOR_API_SECRET"]
    /// Every environment variable this loader reads credentials from.
    public static let environmentVariables = ["CASTOR_API_KEY", "CASTOR_API_SECRET"]

    /// Where loaded credentials came from.
    public enum Source: Sendable, Equatable {
        /// Files in this `$CREDENTIALS_DIRECTORY`.
        case credentialsDirectory(String)
        /// `CASTOR_API_KEY` / `CASTOR_API_SECRET`.
        case environment
    }

    /// The credentials, or nil when none are configured anywhere.
    public func load() throws(CredentialsError) -> APICredentials? {
        try loadWithSource()?.credentials
    }

    /// The credentials and where they came from, or nil when none are configured anywhere.
    public func loadWithSource() throws(CredentialsError) -> (credentials: APICredentials, source: Source)? {
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            let keyPath = root + directory + "/" + Self.keyFileName
            let secretPath = root + directory + "/" + Self.secretFileName
            let hasKey = access(keyPath, F_OK) == 0, hasSecret = access(secretPath, F_OK) == 0
            if hasKey || hasSecret {
                guard hasKey else { throw .missingFile(path: keyPath) }
                guard hasSecret else { throw .missingFile(path: secretPath) }
                var keyBytes = try Self.readPrivateFile(keyPath)
                defer { Self.wipe(&keyBytes) }
                var secretBytes = try Self.readPrivateFile(secretPath)
                defer { Self.wipe(&secretBytes) }
                // Both empty: the placeholders `deploy/install.sh` makes, so that systemd's
                // `LoadCredential=` finds its files on a simulator-only install. No credentials.
                if Self.trimmed(keyBytes).isEmpty, Self.trimmed(secretBytes).isEmpty { return nil }
                return (try Self.make(key: String(decoding: keyBytes, as: UTF8.self), secret: secretBytes, source: directory),
                        .credentialsDirectory(directory))
            }
        }
        let key = environment["CASTOR_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = environment["CASTOR_API_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        switch (key, secret) {
        case (nil, nil): return nil
        case (nil, _): throw .incompleteEnvironment(missing: "CASTOR_API_KEY")
        case (_, nil): throw .incompleteEnvironment(missing: "CASTOR_API_SECRET")
        case (let key?, let secret?):
            // Bytes as early as possible; both arrays are wiped (the String cannot be).
            var raw = Array(secret.utf8)
            defer { Self.wipe(&raw) }
            var trimmed = Array(Self.trimmed(raw))
            defer { Self.wipe(&trimmed) }
            return (try Self.make(key: key, secret: trimmed, source: "environment"), .environment)
        }
    }

    /// Credentials for a reload of `venue` in a process that already removed its secret
    /// variables: the credential files are read again (so a rotated file is picked up),
    /// the environment is not. `fromEnvironment` is what the environment held at start;
    /// a running process's environment cannot change from outside, so this copy is exactly
    /// what re-reading it would give, without the secret staying in the environment.
    public func reload(for venue: VenueConfiguration, fromEnvironment: APICredentials?) throws(CredentialsError) -> APICredentials? {
        let filesOnly = CredentialsLoader(environment: environment.filter { !Self.environmentVariables.contains($0.key) },
                                          fileSystemRoot: root)
        let credentials = try filesOnly.load() ?? fromEnvironment
        if venue.requiresCredentials && credentials == nil { throw .required(venue: venue.name) }
        return credentials
    }

    /// Removes the secret-carrying variables (`secretEnvironmentVariables`) from the process
    /// environment, so child processes and `/proc/self/environ` do not carry them; returns
    /// the names that were set.
    ///
    /// The value's bytes are zeroed in place before `unsetenv`: for a variable the process
    /// started with they live in the initial environment block on the stack, which is what
    /// `/proc/self/environ` shows, and `unsetenv` alone only drops the pointer to them.
    /// Call it while no other thread can be reading the environment (`setenv`/`unsetenv`
    /// are not thread-safe): `castor run` does so before logging and Dispatch start.
    @discardableResult
    public static func removeSecretsFromEnvironment() -> [String] {
        var removed: [String] = []
        for name in secretEnvironmentVariables {
            guard let value = getenv(name) else { continue }
            explicit_bzero(value, strlen(value))
            unsetenv(name)
            removed.append(name)
        }
        return removed
    }

    /// Credentials for `venue`: nil for the simulator; an error if a real venue has none.
    public func load(for venue: VenueConfiguration) throws(CredentialsError) -> APICredentials? {
        let credentials = try load()
        if venue.requiresCredentials && credentials == nil { throw .required(venue: venue.name) }
        return credentials
    }

    private static func make(key: String, secret: [UInt8], source: String) throws(CredentialsError) -> APICredentials {
        let key = String(decoding: trimmed(Array(key.utf8)), as: UTF8.self)
        do {
            return try APICredentials(key: key, secret: secret)
        } catch {
            throw .invalid(source: source, reason: error.description)
        }
    }

    private static func readPrivateFile(_ path: String) throws(CredentialsError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        if info.st_mode & 0o077 != 0 { throw .tooPermissive(path: path, mode: UInt32(info.st_mode & 0o777)) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        defer { wipe(&chunk) }
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) } else if n < 0 && errno == EINTR { continue } else if n < 0 {
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            } else { break }
            if bytes.count > 64 * 1024 { throw .unreadable(path: path, reason: "larger than 64 KiB; is this the right file?") }
        }
        return Array(trimmed(bytes))
    }

    /// Editors and `echo` add a trailing newline that is not part of the secret.
    private static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var end = bytes.endIndex
        while end > bytes.startIndex, [0x0A, 0x0D, 0x20, 0x09].contains(bytes[end - 1]) { end -= 1 }
        return bytes[..<end]
    }

    private static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } }
    }
}

/// Why credentials could not be loaded; no case ever carries secret material.
public enum CredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One of the two credential files is missing.
    case missingFile(path: String)
    /// Only one of `CASTOR_API_KEY` / `CASTOR_API_SECRET` is set.
    case incompleteEnvironment(missing: String)
    /// A credential file is readable by group or others.
    case tooPermissive(path: String, mode: UInt32)
    /// A credential file exists but cannot be read.
    case unreadable(path: String, reason: String)
    /// The key or secret is empty or malformed.
    case invalid(source: String, reason: String)
    /// A real venue was configured without any credentials.
    case required(venue: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            "\(path): missing; put the API key name in castor-api-key and the secret in castor-api-secret (both mode 600)"
        case .incompleteEnvironment(let missing):
            "\(missing) is not set: set both CASTOR_API_KEY and CASTOR_API_SECRET, or neither"
        case .tooPermissive(let path, let mode):
            "\(path): mode \(String(mode, radix: 8)) lets group/others read the API secret: run `chmod 600 \(path)` (and consider rotating the key)"
        case .unreadable(let path, let reason):
            "\(path): cannot read: \(reason)"
        case .invalid(let source, let reason):
            "credentials from \(source): \(reason)"
        case .required(let venue):
            "venue \"\(venue)\" needs API credentials: set CASTOR_API_KEY/CASTOR_API_SECRET, or put the key and secret in the files the unit's LoadCredential= names (/etc/castor/credentials/castor-api-key and castor-api-secret, empty after install); with no credentials use venue name = \"sim\""
        }
    }
}
