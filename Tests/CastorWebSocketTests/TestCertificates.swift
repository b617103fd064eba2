import CastorTestSupport
import Foundation

/// A throwaway CA plus two server certificates made with the `openssl` CLI at test time:
/// one valid for localhost/127.0.0.1, one only for other.example.
struct TestCertificates: Sendable {
    let directory: String
    var caFile: String { directory + "/ca.pem" }
    var serverCert: String { directory + "/server.pem" }
    var serverKey: String { directory + "/server.key" }
    var otherCert: String { directory + "/other.pem" }
    var otherKey: String { directory + "/other.key" }

    struct GenerationFailed: Error, CustomStringConvertible { let description: String }

    /// Made once per process, by the first test that asks (the `openssl` run is awaited,
    /// holding no cooperative-pool thread).
    private static let made = Task { await generate() }

    static func shared() async -> Result<TestCertificates, GenerationFailed> { await made.value }

    private static func generate() async -> Result<TestCertificates, GenerationFailed> {
        let dir = NSTemporaryDirectory() + "castor-tls-\(getpid())"
        let script = """
        set -e
        mkdir -p '\(dir)' && cd '\(dir)'
        EC="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        openssl req -x509 $EC -keyout ca.key -out ca.pem -days 2 -subj '/CN=Castor Test CA' \
          -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
        for name in server other; do
          if [ $name = server ]; then SAN='DNS:localhost,IP:127.0.0.1'; CN=localhost; else SAN='DNS:other.example'; CN=other.example; fi
          openssl req $EC -keyout $name.key -out $name.csr -subj "/CN=$CN"
          printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' "$SAN" > $name.ext
          openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $name.pem -days 2 -extfile $name.ext
        done
        """
        let outcome: ProcessOutcome
        do { outcome = try await runToExit("/bin/sh", ["-c", script], seconds: 60) } catch {
            return .failure(GenerationFailed(description: "cannot run /bin/sh: \(error)"))
        }
        guard outcome.status == 0 else {
            return .failure(GenerationFailed(description: "openssl CLI failed (status \(outcome.status)); install openssl: \(outcome.output)"))
        }
        return .success(TestCertificates(directory: dir))
    }
}
