import Crypto

/// A prompt-cache key: the first 128 bits of a prefix's SHA-256 (``SimCachePrompt``), held as two
/// integers because Crypto's digest type is not `Sendable` and the cache is shared across actors.
/// 128 bits make a collision between two prefixes out of reach for a test run.
struct SimCacheKey: Hashable, Sendable {
    var high: UInt64
    var low: UInt64

    /// The key of a finished hash.
    init(_ digest: SHA256Digest) {
        var words: (UInt64, UInt64) = (0, 0)
        for (index, byte) in digest.prefix(16).enumerated() {
            if index < 8 { words.0 = words.0 << 8 | UInt64(byte) } else { words.1 = words.1 << 8 | UInt64(byte) }
        }
        (self.high, self.low) = words
    }
}
