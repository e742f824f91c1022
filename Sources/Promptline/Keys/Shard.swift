/// `--shard K/N`: this process takes the records whose key falls in shard K (0-based) of N.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    let index: Int
    let count: Int

    /// Parses `K/N` with `0 <= K < N`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (0..<count).contains(index) else {
            return nil
        }
        self.index = index
        self.count = count
    }

    /// True when the record with this key belongs to this shard. Keys given by a record's own
    /// `idempotency_key` are hashed first, so they spread too.
    func contains(key: RequestKey) -> Bool {
        let digestKey = key.digestHex == nil ? RequestKey(canonicalBytes: Array(key.rawValue.utf8)) : key
        return digestKey.shard(of: count) == index
    }

    /// Invalid lines (which have no key) are written by shard 0 only.
    var takesInvalidLines: Bool { index == 0 }

    /// The shard as `K/N`, as `--shard` takes it.
    public var description: String { "\(index)/\(count)" }
}
