import Crypto

/// Gathers the requests of one batch and its create body, `{"requests":[{"custom_id":…,"params":…},…]}`,
/// within the API's limits (a count and 256 MB of body).
struct BatchBuilder {
    /// Largest create body the API takes (256 MB).
    static let apiMaxBytes = 256 * 1024 * 1024
    /// Most requests the API takes in one batch.
    static let apiMaxRequests = 100_000

    let maxRequests: Int
    let maxBytes: Int
    private(set) var entries: [BatchEntry] = []
    private(set) var keys = Set<String>()
    private var body: [UInt8] = Array(#"{"requests":["#.utf8)
    /// The worst-case dollars of the batch (estimated input, full `max_tokens`), at the batch price.
    private(set) var worstCase = 0.0

    init(maxRequests: Int, maxBytes: Int = BatchBuilder.apiMaxBytes) {
        self.maxRequests = maxRequests
        self.maxBytes = maxBytes
    }

    var isEmpty: Bool { entries.isEmpty }
    var isFull: Bool { entries.count >= maxRequests }
    var bodyBytes: Int { body.count + 2 }

    /// The `custom_id` of a key: the 64 hex digits of a `sha256:` key, else the hex SHA-256 of the
    /// key's text, so it always matches `^[a-zA-Z0-9_-]{1,64}$` and differs between keys.
    static func customID(for key: String) -> String {
        if let digest = RequestKey(rawValue: key)?.rawValue, digest.hasPrefix("sha256:") {
            return String(digest.dropFirst("sha256:".count))
        }
        return SHA256.hash(data: Array(key.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Bytes one record adds to the body.
    static func entryBytes(_ record: RequestRecord) -> Int {
        #"{"custom_id":"","params":},"#.utf8.count + 64 + record.body.count
    }

    /// True when `record` can join without passing the byte limit.
    func fits(_ record: RequestRecord) -> Bool {
        bodyBytes + Self.entryBytes(record) <= maxBytes
    }

    mutating func add(_ record: RequestRecord, worstCase cost: Double) {
        let customID = Self.customID(for: record.key)
        if !entries.isEmpty { body.append(0x2C) }
        body.append(contentsOf: #"{"custom_id":""#.utf8)
        body.append(contentsOf: customID.utf8)
        body.append(contentsOf: #"","params":"#.utf8)
        body.append(contentsOf: record.body)
        body.append(0x7D)
        entries.append(BatchEntry(customID: customID, key: record.key, model: record.model, messagesKey: record.messagesKey))
        keys.insert(record.key)
        worstCase += cost
    }

    /// The create body; the builder is empty again afterwards.
    mutating func take() -> (entries: [BatchEntry], body: [UInt8], worstCase: Double) {
        body.append(contentsOf: "]}".utf8)
        let taken = (entries, body, worstCase)
        self = BatchBuilder(maxRequests: maxRequests, maxBytes: maxBytes)
        return taken
    }
}
