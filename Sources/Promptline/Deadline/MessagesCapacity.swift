/// How fast the Messages API can answer a job's records, as far as promptline knows: each model's
/// rate limits (given with `--rpm/--itpm`, or remembered in the store from earlier jobs) and
/// latency, the mix of models the job's records name, and `--concurrency`.
///
/// Each model has its own limits (the API limits per model class), so the records of one model
/// wait for that model's buckets only; `--concurrency` bounds the whole job.
struct MessagesCapacity: Sendable, Equatable {
    /// What is known of one model.
    struct Model: Sendable, Equatable {
        /// Requests per minute; nil when unknown (not limiting in the estimate).
        var requestsPerMinute: Int?
        /// Input tokens per minute; nil when unknown.
        var inputTokensPerMinute: Int?
        /// Seconds from send to answer, typical.
        var latency: Double
        /// Input tokens of an average record of this model.
        var inputTokensPerRecord: Double = 0
        /// The job's records of this model seen so far (their share of the job).
        var records = 0

        /// Seconds this model's buckets need for `records` records, starting full (nothing went
        /// through Messages while the batches ran): each bucket holds a minute's worth.
        func limitSeconds(records: Double) -> Double {
            var seconds = 0.0
            if let rpm = requestsPerMinute, rpm > 0 {
                seconds = max(seconds, (records - Double(rpm)) / Double(rpm) * 60)
            }
            if let itpm = inputTokensPerMinute, itpm > 0 {
                seconds = max(seconds, (records * inputTokensPerRecord - Double(itpm)) / Double(itpm) * 60)
            }
            return seconds
        }
    }

    /// A typical answer's latency when none was seen: a short answer of the real API.
    static let defaultLatency = 2.0

    /// The models known before the job (remembered, or given limits), and those its records named.
    private(set) var models: [String: Model]
    /// What is assumed of a model nothing is known of.
    let unknown: Model
    /// The model of records that name none: the estimate's model before any record is seen.
    let defaultModel: String?
    var concurrency: Int

    init(models: [String: Model] = [:], unknown: Model, defaultModel: String?, concurrency: Int) {
        self.models = models
        self.unknown = unknown
        self.defaultModel = defaultModel
        self.concurrency = concurrency
    }

    /// Takes one more record of `model`, of `bodyBytes` request bytes, into the mix and its
    /// model's input tokens per record.
    mutating func noteRecord(model: String, bodyBytes: Int) {
        var entry = models[model] ?? unknown
        entry.records += 1
        entry.inputTokensPerRecord +=
            (Double(TokenEstimate.inputTokens(bodyBytes: bodyBytes)) - entry.inputTokensPerRecord) / Double(entry.records)
        models[model] = entry
    }

    /// Seconds the Messages API needs for `records` records in the job's mix of models: the
    /// slowest of the concurrency bound (at the mix's mean latency) and each model's limits for
    /// its share.
    func seconds(records: Int) -> Double {
        guard records > 0 else { return 0 }
        var mix = models.values.filter { $0.records > 0 }
        if mix.isEmpty { mix = [defaultModel.flatMap { models[$0] } ?? unknown] }
        let seen = Double(max(1, mix.reduce(0) { $0 + $1.records }))
        let share: (Model) -> Double = { mix.count == 1 ? 1 : Double($0.records) / seen }
        let latency = mix.reduce(0) { $0 + share($1) * $1.latency }
        var seconds = Double(records) * latency / Double(max(1, concurrency))
        for model in mix { seconds = max(seconds, model.limitSeconds(records: Double(records) * share(model))) }
        return seconds
    }
}
