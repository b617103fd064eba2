/// The venue and account a journal belongs to, and so its file in the state directory.
///
/// Trade ids and order ids are unique only within one venue, and positions belong to one
/// account, so each (venue, account) pair keeps its own journal: a fill on one venue can
/// never be mistaken for an already-journaled fill of another, and positions, open orders
/// and client-order counters never mix. The API key is not part of the scope: a rotated key
/// on the same venue and account keeps the journal (and so its open orders and positions).
///
/// The file is `castor.<venue>.<account>.sqlite`, e.g. `castor.production.default.sqlite`,
/// `castor.sandbox.account-primary.sqlite`, `castor.custom-127.0.0.1-8443.default.sqlite`:
/// - `<venue>` is `venue` with every byte other than ASCII letters, digits, `.`, `-` and
///   `_` written `%XX`;
/// - `<account>` is `default` when `account` is nil (the key's own account), else
///   `account-` and the name with every byte other than ASCII letters, digits, `-` and `_`
///   written `%XX` (so it never contains a `.`).
///
/// Distinct scopes get distinct file names: the account part is the text after the last
/// `.` before `.sqlite`, and the escaping is reversible.
public struct JournalScope: Sendable, Hashable, CustomStringConvertible {
    /// A stable name of the venue (`sim`, `production`, `sandbox`, `custom-<host>-<port>`).
    public let venue: String
    /// The sub-account nickname orders are placed in; nil for the API key's own account.
    public let account: String?

    /// - Precondition: `venue` is not empty.
    public init(venue: String, account: String?) {
        precondition(!venue.isEmpty, "a journal scope needs a venue name")
        self.venue = venue
        self.account = account
    }

    /// `castor.<venue>.<account>.sqlite`.
    public var fileName: String { "castor.\(venueSegment).\(accountSegment).sqlite" }

    /// Where `Journal.setAside` moves this scope's file: `castor.<venue>.<account>.previous.sqlite`.
    public var setAsideFileName: String { "castor.\(venueSegment).\(accountSegment).previous.sqlite" }

    public var description: String { "venue \(venue), " + (account.map { "account \($0)" } ?? "the API key's own account") }

    var venueSegment: String { Self.venueSegment(venue) }

    var accountSegment: String {
        guard let account else { return "default" }
        return "account-" + Self.escape(account, keeping: [])
    }

    static func venueSegment(_ venue: String) -> String { escape(venue, keeping: [UInt8(ascii: ".")]) }

    /// ASCII letters, digits, `-` and `_` (and `keeping`) as they are; any other byte `%XX`.
    static func escape(_ text: String, keeping extra: Set<UInt8>) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                out.append(byte)
            case _ where extra.contains(byte):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
