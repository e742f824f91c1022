/// How fast the Messages API can answer records for one job, as far as promptline knows: the
/// rate limits (given with `--rpm/--itpm`, or remembered in the store from earlier jobs), the
/// latency seen, and `--concurrency`.
struct MessagesCapacity: Sendable, Equatable, Codable {
    /// Requests per minute; nil when unknown (not limiting in the estimate).
    var requestsPerMinute: Int?
    /// Input tokens per minute; nil when unknown.
    var inputTokensPerMinute: Int?
    /// Input tokens of an average record.
    var inputTokensPerRecord: Double
    /// Records averaged into ``inputTokensPerRecord``.
    private(set) var recordsNoted = 0
    /// Seconds from send to answer, typical.
    var latency: Double
    var concurrency: Int

    /// Averages one more record, of `bodyBytes` request bytes, into the input tokens per record.
    mutating func noteRecord(bodyBytes: Int) {
        recordsNoted += 1
        inputTokensPerRecord += (Double(TokenEstimate.inputTokens(bodyBytes: bodyBytes)) - inputTokensPerRecord) / Double(recordsNoted)
    }

    /// A typical answer's latency when none was seen: a short answer of the real API.
    static let defaultLatency = 2.0

    /// Seconds the Messages API needs for `records` records, starting with full rate-limit buckets
    /// (nothing went through Messages while the batches ran): the slowest of the concurrency
    /// bound and each known limit, whose bucket holds a minute's worth.
    func seconds(records: Int) -> Double {
        guard records > 0 else { return 0 }
        var seconds = Double(records) * latency / Double(max(1, concurrency))
        if let rpm = requestsPerMinute, rpm > 0 {
            seconds = max(seconds, Double(records - rpm) / Double(rpm) * 60)
        }
        if let itpm = inputTokensPerMinute, itpm > 0 {
            let tokens = Double(records) * inputTokensPerRecord
            seconds = max(seconds, (tokens - Double(itpm)) / Double(itpm) * 60)
        }
        return seconds
    }
}
