import Crypto
import PromptlineJSON

/// The idempotency key of a request: `sha256:` followed by the lowercase hexadecimal SHA-256
/// digest of the canonical (RFC 8785) bytes of its effective Messages API body, or the record's
/// own `idempotency_key`, taken as written.
///
/// The same body gives the same digest key on every machine and run, whatever the member order,
/// white space, number spelling or escapes of the input it came from. The key's text is what the
/// store's `key` column and an output line's `key` hold.
public struct RequestKey: Hashable, Sendable, CustomStringConvertible {
    /// The key's text, such as `sha256:2c26b46b…`.
    public let rawValue: String

    private static let prefix = "sha256:"
    private static let hexDigitCount = SHA256.byteCount * 2

    /// The key of the body whose canonical bytes are `canonicalBytes`.
    init(canonicalBytes: [UInt8]) {
        self.init(digest: SHA256.hash(data: canonicalBytes))
    }

    /// The key whose digest is `digest` (of canonical bytes hashed in parts).
    init(digest: SHA256.Digest) {
        let hexDigits: StaticString = "0123456789abcdef"
        var text: [UInt8] = Array(Self.prefix.utf8)
        text.reserveCapacity(text.count + Self.hexDigitCount)
        for byte in digest {
            text.append(hexDigits.utf8Start[Int(byte >> 4)])
            text.append(hexDigits.utf8Start[Int(byte & 0x0F)])
        }
        self.rawValue = String(decoding: text, as: UTF8.self)
    }

    /// The key of `body`, canonicalized by ``Canonicalizer``.
    init(body: JSONValue) {
        self.init(canonicalBytes: Canonicalizer.canonicalBytes(body))
    }

    /// A key as written, whatever its form: a record's own `idempotency_key` (or one derived from
    /// it), or a key read back from the store.
    init(text: String) {
        self.rawValue = text
    }

    /// A digest key read back from its text, or `nil` when `rawValue` is not `sha256:` followed by
    /// 64 lowercase hexadecimal digits (a record's own key is ``init(text:)``).
    init?(rawValue: String) {
        let utf8 = rawValue.utf8
        guard utf8.count == Self.prefix.utf8.count + Self.hexDigitCount,
            rawValue.hasPrefix(Self.prefix),
            utf8.dropFirst(Self.prefix.utf8.count).allSatisfy({ Self.isLowercaseHexDigit($0) })
        else {
            return nil
        }
        self.rawValue = rawValue
    }

    /// The key's text, ``rawValue``.
    public var description: String { self.rawValue }

    /// The 64 hexadecimal digits of a digest key; nil for a record's own key.
    var digestHex: Substring? {
        RequestKey(rawValue: rawValue) == nil ? nil : rawValue.dropFirst(Self.prefix.count)
    }

    /// The shard, in `0..<count`, this key falls in when the keys are split `count` ways.
    ///
    /// It is the first 8 bytes of the digest read as a big-endian `UInt64`, modulo `count`:
    /// uniform over the keys, and the same on every machine, so `--shard K/N` runs of one job
    /// partition its records between them with no coordination.
    ///
    /// A record's own key has no digest to read: ``Shard`` hashes its text into a digest key first.
    ///
    /// - Precondition: `count` is positive.
    func shard(of count: Int) -> Int {
        precondition(count > 0, "the shard count must be positive")
        let hex = self.rawValue.utf8.dropFirst(Self.prefix.utf8.count).prefix(16)
        var leading: UInt64 = 0
        for digit in hex {
            leading = leading << 4 | UInt64(Self.value(ofHexDigit: digit))
        }
        return Int(leading % UInt64(count))
    }

    private static func isLowercaseHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    private static func value(ofHexDigit byte: UInt8) -> UInt8 {
        byte <= UInt8(ascii: "9") ? byte &- UInt8(ascii: "0") : byte &- UInt8(ascii: "a") &+ 10
    }
}
