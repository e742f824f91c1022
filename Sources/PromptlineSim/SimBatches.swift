import Crypto
import Foundation
import PromptlineJSON

/// The simulator's Message Batches: batches created, their processing, their results and the
/// counters. Times are unix seconds, passed in; a batch's state advances when it is looked at
/// (retrieve, list, cancel, results, the `/_sim` counters and bill), so no background task is
/// needed: each request is decided then as of its own finish time (``SimBatchProgress``).
actor SimBatches {
    /// Most requests in one batch, as the real API.
    static let maxRequests = 100_000
    /// Largest create body, as the real API (256 MB).
    static let maxBytes = 256 * 1024 * 1024

    /// One request of a batch.
    struct Item: Sendable {
        var customID: String
        var params: JSONValue
    }

    /// What the server knows at the moment a batch is looked at.
    struct Context: Sendable {
        var scenario: SimBatchScenario
        var catalog: SimModelCatalog
        var errorRates: [String: Double]
        var now: Double
        /// `scheme://host:port` for `results_url`.
        var origin: String
    }

    private enum Status: String {
        case inProgress = "in_progress"
        case canceling
        case ended
    }

    private struct Batch {
        var id: String
        var progress: SimBatchProgress
        var status: Status
        var endedAt: Double?
        /// The requests in processing order (by `custom_id`), until the batch ends.
        var items: [Item]
        /// How many of `items` (the first ones) have finished and have their result in `results`.
        var finished = 0
        var counts = SimMessageBatch.Counts()
        /// The results JSONL: the finished requests' lines as they finish, every line once ended.
        var results: [UInt8] = []
    }

    private var batches: [String: Batch] = [:]
    /// Ids in creation order (oldest first).
    private var order: [String] = []
    private var occurrences: [String: Int] = [:]
    private var nonce = UInt32.random(in: 0...UInt32.max)
    private(set) var stats = SimBatchStats()
    /// Tokens billed for succeeded results, by the model the params asked.
    private(set) var billed: [String: SimBilledTokens] = [:]
    private let promptCache: SimPromptCacheStore

    /// The share of requests that read a cache entry written by their own batch when the scenario
    /// gives none (the docs' best effort is "typically 30–98 %").
    static let defaultCacheHitRate = 0.7

    /// Batches that share `promptCache` with the Messages endpoint.
    init(promptCache: SimPromptCacheStore) {
        self.promptCache = promptCache
    }

    // MARK: Create

    /// Zeroes the counters and the bill (`POST /_sim/reset`); batches and their state stay.
    func resetStats() {
        stats = SimBatchStats()
        billed = [:]
    }

    /// Counts a create request as received.
    func receivedCreate() {
        stats.creates += 1
    }

    /// Creates a batch; `hold` is true when its answer must be held (`hold_creates`).
    func create(items: [Item], context: Context) -> (batch: SimMessageBatch, hold: Bool) {
        let number = order.count
        let id = "msgbatch_sim_" + String(format: "%08d", number + 1) + String(nonce, radix: 16)
        let processing = Double(max(0, context.scenario.processingMs ?? 500)) / 1000
        var course = SimBatchProgress.Course.steady
        if number < (context.scenario.stallFirst ?? 0) {
            course = .stalled
        } else if number < (context.scenario.expireFirst ?? 0) {
            course = .expiring
        }
        let progress = SimBatchProgress(createdAt: context.now, processing: processing, total: items.count, course: course)
        // Results come back in any order: sorted by custom_id here (the processing order), not in the order sent.
        let batch = Batch(
            id: id, progress: progress, status: .inProgress, items: items.sorted { $0.customID < $1.customID })
        batches[id] = batch
        order.append(id)
        stats.created += 1
        stats.requestsByBatch[id] = items.count
        stats.finishedByBatch[id] = 0
        stats.billedByBatch[id] = 0
        let hold = number < (context.scenario.holdCreates ?? 0)
        if hold { stats.held += 1 }
        return (describe(batch, origin: context.origin), hold)
    }

    /// Checks a create body: `requests` is a non-empty array of at most 100,000 entries, each
    /// with a `custom_id` matching `^[a-zA-Z0-9_-]{1,64}$`, unique in the batch, and an object `params`.
    /// The params themselves are validated while the batch is processed (an invalid one ends
    /// `errored`), as the real API does.
    static func parseCreate(_ body: JSONValue) -> Result<[Item], SimAPIError> {
        guard case .object = body else { return .failure(.invalidRequest("The request body must be a JSON object.")) }
        guard let requests = body["requests"]?.arrayValue else {
            return .failure(.invalidRequest("requests: Field required (an array)"))
        }
        guard !requests.isEmpty else { return .failure(.invalidRequest("requests: at least one request is required")) }
        guard requests.count <= maxRequests else {
            return .failure(.invalidRequest("requests: a batch holds at most \(maxRequests) requests, got \(requests.count)"))
        }
        var items: [Item] = []
        items.reserveCapacity(requests.count)
        var seen = Set<String>()
        for (index, request) in requests.enumerated() {
            guard let customID = request["custom_id"]?.stringValue else {
                return .failure(.invalidRequest("requests.\(index).custom_id: Field required"))
            }
            guard isValidCustomID(customID) else {
                return .failure(.invalidRequest("requests.\(index).custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"))
            }
            guard seen.insert(customID).inserted else {
                return .failure(
                    .invalidRequest("requests: custom_id \(customID) is used more than once; custom_ids must be unique within a batch"))
            }
            guard let params = request["params"], case .object = params else {
                return .failure(.invalidRequest("requests.\(index).params: Field required (an object)"))
            }
            items.append(Item(customID: customID, params: params))
        }
        return .success(items)
    }

    /// True when `id` matches `^[a-zA-Z0-9_-]{1,64}$`.
    static func isValidCustomID(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard (1...64).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F
        }
    }

    // MARK: Retrieve, list, cancel, results

    /// `GET /v1/messages/batches/{id}`, counted as a poll; nil for an unknown id.
    func retrieve(_ id: String, context: Context) -> SimMessageBatch? {
        stats.polls += 1
        guard batches[id] != nil else { return nil }
        stats.pollsByBatch[id, default: 0] += 1
        stats.pollTimes[id, default: []].append(context.now)
        advance(id, context: context)
        return batches[id].map { describe($0, origin: context.origin) }
    }

    /// `GET /v1/messages/batches`: newest first, `limit` per page, paged by `after_id` (older)
    /// or `before_id` (newer).
    func list(limit: Int, afterID: String?, beforeID: String?, context: Context) -> Result<SimBatchPage, SimAPIError> {
        stats.lists += 1
        let newestFirst = Array(order.reversed())
        let page: ArraySlice<String>
        let hasMore: Bool
        if let beforeID {
            guard let position = newestFirst.firstIndex(of: beforeID) else {
                return .failure(.invalidRequest("before_id: no batch \(beforeID)"))
            }
            let start = max(0, position - limit)
            page = newestFirst[start..<position]
            hasMore = start > 0
        } else {
            var start = 0
            if let afterID {
                guard let position = newestFirst.firstIndex(of: afterID) else {
                    return .failure(.invalidRequest("after_id: no batch \(afterID)"))
                }
                start = position + 1
            }
            let end = min(newestFirst.count, start + limit)
            page = newestFirst[min(start, end)..<end]
            hasMore = end < newestFirst.count
        }
        var data: [SimMessageBatch] = []
        for id in page {
            advance(id, context: context)
            if let batch = batches[id] { data.append(describe(batch, origin: context.origin)) }
        }
        return .success(SimBatchPage(data: data, hasMore: hasMore, firstID: data.first?.id, lastID: data.last?.id))
    }

    /// `POST /v1/messages/batches/{id}/cancel`: an in-progress batch becomes `canceling` and ends
    /// `cancel_ms` later; a `canceling` one is answered unchanged; an ended one is refused with 400
    /// (the docs: "Batches may be canceled any time before processing ends"); unknown, 404.
    func cancel(_ id: String, context: Context) -> Result<SimMessageBatch, SimAPIError> {
        stats.cancels += 1
        guard batches[id] != nil else { return .failure(SimServer.unknownBatch(id)) }
        advance(id, context: context)
        guard var batch = batches[id] else { return .failure(SimServer.unknownBatch(id)) }
        switch batch.status {
        case .ended:
            return .failure(.invalidRequest("Batch \(id) has already ended; only a batch in progress can be canceled."))
        case .canceling:
            break
        case .inProgress:
            batch.status = .canceling
            batch.progress.cancelInitiatedAt = context.now
            batch.progress.cancelDelay = Double(max(0, context.scenario.cancelMs ?? 500)) / 1000
            batches[id] = batch
            stats.cancelTimes[id] = context.now
            // A zero delay ends the batch at once, so the answer already shows it ended.
            advance(id, context: context)
        }
        return .success(describe(batches[id] ?? batch, origin: context.origin))
    }

    /// The results JSONL of an ended batch; `.failure` with 404 when unknown or not ended yet.
    func results(_ id: String, context: Context) -> Result<[UInt8], SimAPIError> {
        guard batches[id] != nil else {
            return .failure(SimAPIError(status: 404, type: "not_found_error", message: "No batch with id \(id)."))
        }
        advance(id, context: context)
        guard let batch = batches[id], batch.status == .ended else {
            return .failure(
                SimAPIError(status: 404, type: "not_found_error", message: "Batch \(id) has not ended yet; its results are not available."))
        }
        stats.resultsDownloads += 1
        return .success(batch.results)
    }

    /// The counters, every batch moved on to `context.now` first (`GET /_sim/batches`).
    func currentStats(context: Context) -> SimBatchStats {
        advanceAll(context: context)
        return stats
    }

    /// The bill, every batch moved on to `context.now` first, so it counts each request finished by then.
    func currentBill(context: Context) -> [String: SimBilledTokens] {
        advanceAll(context: context)
        return billed
    }

    // MARK: Processing

    private func advanceAll(context: Context) {
        for id in order { advance(id, context: context) }
    }

    /// Moves a batch on to `context.now`: each request whose finish time has come (and is not after
    /// a cancel or the expiry) is processed as of that time, so the prompt cache and the bill see it
    /// then; once the batch's end has come, the rest become `canceled` or `expired` and it ends.
    private func advance(_ id: String, context: Context) {
        guard var batch = batches[id], batch.status != .ended else { return }
        let cutoff = batch.progress.cutoff(now: context.now)
        while batch.finished < batch.items.count, let finish = batch.progress.finishTime(of: batch.finished), finish <= cutoff {
            var asOfFinish = context
            asOfFinish.now = finish
            let item = batch.items[batch.finished]
            Self.append(process(item, batchID: id, context: asOfFinish), of: item, to: &batch)
            batch.finished += 1
            stats.finishedByBatch[id, default: 0] += 1
        }
        guard context.now >= batch.progress.endsAt else {
            batches[id] = batch
            return
        }
        let leftover = batch.progress.leftoverResult
        for item in batch.items[batch.finished...] {
            Self.append(SimBatchResult(type: leftover), of: item, to: &batch)
        }
        if leftover == "canceled" { stats.canceledByBatch[id] = batch.items.count - batch.finished }
        batch.items = []
        batch.status = .ended
        batch.endedAt = batch.progress.endsAt
        batches[id] = batch
    }

    /// Adds a request's result line and counts it.
    private static func append(_ result: SimBatchResult, of item: Item, to batch: inout Batch) {
        switch result.type {
        case "succeeded": batch.counts.succeeded += 1
        case "errored": batch.counts.errored += 1
        case "canceled": batch.counts.canceled += 1
        default: batch.counts.expired += 1
        }
        batch.results += SimServer.encode(SimBatchResultLine(customID: item.customID, result: result))
        batch.results.append(0x0A)
    }

    /// One request's result, by the rules of `POST /v1/messages`: params validation (`cache_control`
    /// included), `[[sim:KIND]]` markers and `error_rates` (drawn from the request's fingerprint and
    /// occurrence), and the prompt cache, best effort inside the batch (``SimPromptCache/Reader``).
    private func process(_ item: Item, batchID: String, context: Context) -> SimBatchResult {
        if let error = Self.validationError(item.params, catalog: context.catalog) {
            return .errored(error)
        }
        // As /v1/messages: the answer names the dated snapshot an alias resolves to.
        let name = item.params["model"]?.stringValue ?? ""
        let model = context.catalog.resolve(name) ?? name
        let prompt: SimCachePrompt?
        switch SimCachePrompt.analyze(item.params, model: model) {
        case .failure(let error): return .errored(error)
        case .success(let analyzed): prompt = analyzed
        }
        let body = Canonicalizer.canonicalBytes(item.params)
        let fingerprint = SimulatedModel.fingerprint(of: item.params)
        let occurrence = occurrences[fingerprint, default: 0]
        occurrences[fingerprint] = occurrence + 1
        let userText = SimulatedModel.lastUserText(in: item.params)
        var outcome = SimState.Outcome.success
        if let fault = SimState.trigger(in: userText) {
            outcome = SimState.outcome(for: fault)
        } else {
            let draw = Self.unit(fingerprint: fingerprint, occurrence: occurrence)
            var cumulative = 0.0
            for (kind, probability) in context.errorRates.sorted(by: { $0.key < $1.key }) {
                cumulative += probability
                if draw < cumulative, let fault = SimFault(rawValue: kind) {
                    outcome = SimState.outcome(for: fault)
                    break
                }
            }
        }
        switch outcome {
        case .success:
            let maxTokens = item.params["max_tokens"]?.intValue ?? 1
            let text = SimulatedModel.text(fingerprint: fingerprint, userText: userText)
            let inputTokens = max(1, body.count / 4)
            let outputTokens = min(maxTokens, max(1, text.utf8.count / 4))
            var message = SimMessage(
                id: SimulatedModel.messageID(fingerprint: fingerprint, occurrence: occurrence), model: model, text: text,
                inputTokens: inputTokens, outputTokens: outputTokens)
            SimStructuredAnswer.shape(&message, request: item.params, fingerprint: fingerprint, userText: userText, maxTokens: maxTokens)
            if let prompt {
                let hitRate = context.scenario.cacheHitRate ?? Self.defaultCacheHitRate
                let readsOwnBatch = Self.unit(fingerprint: fingerprint, occurrence: occurrence, salt: "cache") < hitRate
                let cache = promptCache.lookup(
                    prompt, inputTokens: inputTokens, reader: .batch(id: batchID, readsOwnBatch: readsOwnBatch), now: context.now)
                message.usage = cache.usage(outputTokens: message.usage.outputTokens)
                // The result is complete: what it wrote is there for the next requests (best effort in this batch).
                promptCache.commit(cache, writer: .batch(batchID), now: context.now)
            }
            billed[name, default: SimBilledTokens()].add(message.usage)
            stats.billedByBatch[batchID, default: 0] += 1
            return SimBatchResult(type: "succeeded", message: message)
        case .error(let error):
            return .errored(error)
        case .hang, .reset, .malformed, .hostile:
            return .errored(SimAPIError(status: 500, type: "api_error", message: "Internal server error"))
        }
    }

    /// Why a request's params would be refused by `POST /v1/messages` (or in a batch), if they would.
    static func validationError(_ params: JSONValue, catalog: SimModelCatalog) -> SimAPIError? {
        if case .object(let fields) = params,
            let extra = fields.keys.sorted().first(where: { !SimServer.messagesFields.contains($0) })
        {
            return .invalidRequest("\(extra): Extra inputs are not permitted")
        }
        guard let model = params["model"]?.stringValue else { return .invalidRequest("model: Field required") }
        guard let maxTokens = params["max_tokens"]?.intValue else {
            return .invalidRequest("max_tokens: Field required (an integer)")
        }
        guard maxTokens >= 1 else { return .invalidRequest("max_tokens: Input should be greater than or equal to 1") }
        guard let messages = params["messages"]?.arrayValue else { return .invalidRequest("messages: Field required (an array)") }
        guard !messages.isEmpty else { return .invalidRequest("messages: at least one message is required") }
        if case .bool(true)? = params["stream"] { return .invalidRequest("stream: streaming is not supported in a batch") }
        if let error = SimStructuredAnswer.schemaError(in: params) { return error }
        guard catalog.resolve(model) != nil else { return SimAPIError(status: 404, type: "not_found_error", message: "model: \(model)") }
        return nil
    }

    /// A number in 0..<1 from SHA-256 of the fingerprint, occurrence and `salt` (one per use, so the
    /// fault draw and the cache draw are independent).
    static func unit(fingerprint: String, occurrence: Int, salt: String = "batch") -> Double {
        let digest = Array(SHA256.hash(data: Array("\(fingerprint):\(occurrence):\(salt)".utf8)))
        var value: UInt64 = 0
        for byte in digest.prefix(8) { value = value << 8 | UInt64(byte) }
        return Double(value >> 11) / Double(1 << 53)
    }

    private func describe(_ batch: Batch, origin: String) -> SimMessageBatch {
        // As the API's: every request counts as processing until the whole batch ends.
        var counts = batch.counts
        if batch.status != .ended { counts = SimMessageBatch.Counts(processing: batch.progress.total) }
        return SimMessageBatch(
            id: batch.id, processingStatus: batch.status.rawValue, requestCounts: counts,
            createdAt: SimMessageBatch.timestamp(batch.progress.createdAt),
            expiresAt: SimMessageBatch.timestamp(batch.progress.expiresAt),
            endedAt: batch.endedAt.map(SimMessageBatch.timestamp),
            cancelInitiatedAt: batch.progress.cancelInitiatedAt.map(SimMessageBatch.timestamp),
            resultsURL: batch.status == .ended ? "\(origin)/v1/messages/batches/\(batch.id)/results" : nil)
    }
}

/// One line of a batch's results: `{"custom_id":…,"result":{…}}`.
struct SimBatchResultLine: Encodable {
    var customID: String
    var result: SimBatchResult

    enum CodingKeys: String, CodingKey {
        case customID = "custom_id"
        case result
    }
}

/// A result: `succeeded` with `message`, `errored` with `error` (the API's error body),
/// `canceled` or `expired`.
struct SimBatchResult: Encodable {
    var type: String
    var message: SimMessage?
    var error: SimErrorBody?

    static func errored(_ error: SimAPIError) -> SimBatchResult {
        SimBatchResult(type: "errored", error: SimErrorBody(error, requestID: SimServer.makeRequestID()))
    }
}
