import COpenSSL

/// Process-wide OpenSSL set-up.
///
/// Call `OpenSSLLibrary.initialize()` before anything else touches OpenSSL or libcurl
/// (libcurl links the same OpenSSL). OpenSSL's default atexit handler frees its state
/// while Swift deinitialisers may still run, which double-frees at exit; initialising
/// with `OPENSSL_INIT_NO_ATEXIT` first avoids that.
public enum OpenSSLLibrary {
    private static let once: Bool = {
        castor_OPENSSL_init_no_atexit() == 1
    }()

    /// Initialises OpenSSL once; safe to call from any thread, any number of times.
    @discardableResult
    public static func initialize() -> Bool { once }

    /// The OpenSSL version string the process runs with, e.g. "OpenSSL 3.0.19 ...".
    public static var versionString: String {
        initialize()
        return String(cString: OpenSSL_version(OPENSSL_VERSION))
    }
}
