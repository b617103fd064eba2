/// A Gemini API key name and its secret.
///
/// The key name (`account-…` / `master-…`) is sent in clear in `X-GEMINI-APIKEY` and may be
/// logged; the secret may not. Nothing in this type prints, mirrors, encodes or compares the
/// secret: `description`, `debugDescription` and `customMirror` redact it, and there is
/// deliberately no `Codable` or `Equatable` conformance.
public struct APICredentials: Sendable {
    /// The API key name, e.g. `account-XXXXXXXXXXXXXXXXXXXX`.
    public let key: String
    let secret: SecretBytes

    /// Creates credentials from the secret's raw bytes.
    ///
    /// Gemini uses the secret exactly as shown when the key was created (its ASCII bytes,
    /// not base64-decoded). The bytes are copied into a buffer that is zeroed when the
    /// credentials are released; the caller should wipe its own copy.
    /// - Throws: `APICredentialsError.emptyKey` / `.emptySecret`.
    public init(key: String, secret: some Collection<UInt8>) throws(APICredentialsError) {
        guard !key.isEmpty else { throw .emptyKey }
        guard !secret.isEmpty else { throw .emptySecret(key: key) }
        self.key = key
        self.secret = SecretBytes(secret)
    }

    /// Creates credentials from the secret as text (its UTF-8 bytes are the HMAC key).
    ///
    /// Prefer the byte form when the secret comes from a file: a Swift `String` cannot be wiped.
    public init(key: String, secret: String) throws(APICredentialsError) {
        try self.init(key: key, secret: secret.utf8)
    }

    /// Length of the secret in bytes; useful for sanity checks without revealing it.
    public var secretLength: Int { secret.count }

    /// Runs `body` with the secret as the HMAC key; the bytes must not escape `body`.
    func withSecret<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        secret.withBytes(body)
    }
}

extension APICredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `APICredentials(key: account-abc…, secret: <redacted>)`.
    public var description: String { "APICredentials(key: \(key), secret: <redacted>)" }
    public var debugDescription: String { description }
    /// Shows only the key, so `dump`, debuggers and test failure messages never see the secret.
    public var customMirror: Mirror {
        Mirror(self, children: ["key": key, "secret": "<redacted>"], displayStyle: .struct)
    }
}

/// Why `APICredentials` could not be created.
public enum APICredentialsError: Error, Equatable, CustomStringConvertible {
    /// The API key name is empty.
    case emptyKey
    /// The secret for `key` is empty.
    case emptySecret(key: String)

    public var description: String {
        switch self {
        case .emptyKey:
            "API key is empty: set the key name (account-… or master-…) shown when the key was created"
        case .emptySecret(let key):
            "API secret for key \(key) is empty: provide the secret shown once when the key was created, or create a new key"
        }
    }
}
