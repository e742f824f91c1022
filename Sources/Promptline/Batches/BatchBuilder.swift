import Crypto
import Foundation

/// Gathers one batch within the API's limits (a count and 256 MB of body) with flat memory: the
/// create body, `{"requests":[{"custom_id":…,"params":…},…]}`, is written to a temporary file
/// (``BatchBodyFile``), and the batch's entries leave memory for the store every few thousand
/// (``takeEntries()``), so neither grows with the batch.
struct BatchBuilder {
    /// Largest create body the API takes (256 MB).
    static let apiMaxBytes = 256 * 1024 * 1024
    /// Most requests the API takes in one batch.
    static let apiMaxRequests = 100_000
    /// Entries held before they go to the store.
    static let entriesPerFlush = 2000

    let maxRequests: Int
    let maxBytes: Int
    /// promptline's id of the batch being built.
    let localID: String
    private(set) var count = 0
    /// Entries not yet handed to the store, and their keys.
    private(set) var pendingEntries: [BatchEntry] = []
    private(set) var pendingKeys = Set<RequestKey>()
    private var file: BatchBodyFile?
    private var buffer: [UInt8] = []
    private(set) var bodyBytes = #"{"requests":[]}"#.utf8.count
    /// The worst-case dollars of the batch (estimated input, full `max_tokens`), at the batch price.
    private(set) var worstCase = 0.0

    init(maxRequests: Int, maxBytes: Int = BatchBuilder.apiMaxBytes, localID: String = UUID().uuidString.lowercased()) {
        self.maxRequests = maxRequests
        self.maxBytes = maxBytes
        self.localID = localID
    }

    var isEmpty: Bool { count == 0 }
    var isFull: Bool { count >= maxRequests }
    /// True when enough entries wait to be handed to the store.
    var shouldFlushEntries: Bool { pendingEntries.count >= Self.entriesPerFlush }

    /// The `custom_id` of a key: the 64 hex digits of a `sha256:` key, else the hex SHA-256 of the
    /// key's text, so it always matches `^[a-zA-Z0-9_-]{1,64}$` and differs between keys.
    static func customID(for key: RequestKey) -> String {
        if let digest = key.digestHex { return String(digest) }
        return SHA256.hash(data: Array(key.rawValue.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Bytes one request body adds to the batch's body (with its separating comma).
    static func entryBytes(body: [UInt8]) -> Int {
        #"{"custom_id":"","params":},"#.utf8.count + 64 + body.count
    }

    /// True when a request with this body can join without passing the byte limit.
    func fits(_ body: [UInt8]) -> Bool {
        bodyBytes + Self.entryBytes(body: body) <= maxBytes
    }

    /// Adds a record sent with `body` (its own, or with cache breakpoints): its entry to the body
    /// file, its entry and key to the pending ones.
    mutating func add(_ record: RequestRecord, body: [UInt8], worstCase cost: Double) throws {
        let customID = Self.customID(for: record.key)
        buffer.append(contentsOf: count == 0 ? #"{"requests":["#.utf8 : ",".utf8)
        buffer.append(contentsOf: #"{"custom_id":""#.utf8)
        buffer.append(contentsOf: customID.utf8)
        buffer.append(contentsOf: #"","params":"#.utf8)
        buffer.append(contentsOf: body)
        buffer.append(0x7D)
        bodyBytes += Self.entryBytes(body: body)
        if buffer.count >= 1 << 20 { try flushBuffer() }
        pendingEntries.append(BatchEntry(customID: customID, key: record.key, model: record.model, messagesKey: record.messagesKey))
        pendingKeys.insert(record.key)
        count += 1
        worstCase += cost
    }

    /// The entries waiting for the store; the builder forgets them.
    mutating func takeEntries() -> [BatchEntry] {
        defer {
            pendingEntries.removeAll(keepingCapacity: true)
            pendingKeys.removeAll(keepingCapacity: true)
        }
        return pendingEntries
    }

    private mutating func flushBuffer() throws {
        if file == nil { file = try BatchBodyFile(localID: localID) }
        try file?.append(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Closes the body and hands over its file; the builder must not be used afterwards.
    mutating func finish() throws -> BatchBodyFile {
        buffer.append(contentsOf: "]}".utf8)
        try flushBuffer()
        try file!.close()
        return file!
    }
}
