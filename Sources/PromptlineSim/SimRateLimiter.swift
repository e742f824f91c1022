/// The API's rate limits as four token buckets (requests, input tokens, output
/// tokens, all tokens). A pure value with injected time, so it can be tested
/// without a clock.
///
/// A request is admitted when the requests bucket holds 1, the input-tokens and
/// tokens buckets hold its input tokens and the output-tokens bucket is not in
/// debt; admission charges the request and its input tokens. Output tokens are
/// charged after generation with ``charge(outputTokens:now:)``.
struct SimRateLimiter: Sendable, Equatable {
    /// The limit reported for a bucket that is not configured.
    static let unlimitedFigure = 1_000_000_000

    private(set) var requests: TokenBucket?
    private(set) var inputTokens: TokenBucket?
    private(set) var outputTokens: TokenBucket?
    private(set) var tokens: TokenBucket?

    /// The outcome of ``admit(inputTokens:now:)``.
    enum Decision: Sendable, Equatable {
        case admitted
        /// Not admitted; `retryAfter` whole seconds (at least 1) until it would be.
        case limited(retryAfter: Int)
    }

    /// One bucket's figures for the `anthropic-ratelimit-*` headers.
    struct Snapshot: Sendable, Equatable {
        var limit: Int
        var remaining: Int
        /// Time (same scale as `now`) at which the bucket is full.
        var reset: Double
    }

    /// Creates full buckets for the configured limits.
    init(limits: RateLimits?, now: Double) {
        self.requests = limits?.requestsPerMinute.map { TokenBucket(perMinute: $0, now: now) }
        self.inputTokens = limits?.inputTokensPerMinute.map { TokenBucket(perMinute: $0, now: now) }
        self.outputTokens = limits?.outputTokensPerMinute.map { TokenBucket(perMinute: $0, now: now) }
        self.tokens = limits?.tokensPerMinute.map { TokenBucket(perMinute: $0, now: now) }
    }

    /// Admits a request with `inputTokens` input tokens at `now`, charging it, or
    /// says how long to wait.
    mutating func admit(inputTokens: Int, now: Double) -> Decision {
        let input = Double(inputTokens)
        let waits = [
            self.requests?.secondsUntilAvailable(1, now: now),
            self.inputTokens?.secondsUntilAvailable(input, now: now),
            self.tokens?.secondsUntilAvailable(input, now: now),
            self.outputTokens?.secondsUntilAvailable(0, now: now),
        ].compactMap { $0 }
        let wait = waits.max() ?? 0
        if wait > 0 {
            let seconds = wait.isFinite ? Int(wait.rounded(.up)) : 60
            return .limited(retryAfter: max(1, seconds))
        }
        self.requests?.take(1, now: now)
        self.inputTokens?.take(input, now: now)
        self.tokens?.take(input, now: now)
        return .admitted
    }

    /// Charges the output tokens of a finished generation (may put buckets in debt).
    mutating func charge(outputTokens: Int, now: Double) {
        self.outputTokens?.take(Double(outputTokens), now: now)
        self.tokens?.take(Double(outputTokens), now: now)
    }

    /// Header figures for the requests, input-tokens, output-tokens and tokens buckets.
    func snapshots(now: Double) -> (requests: Snapshot, inputTokens: Snapshot, outputTokens: Snapshot, tokens: Snapshot) {
        func snapshot(_ bucket: TokenBucket?) -> Snapshot {
            guard let bucket else {
                return Snapshot(limit: Self.unlimitedFigure, remaining: Self.unlimitedFigure, reset: now)
            }
            return Snapshot(limit: Int(bucket.capacity), remaining: bucket.remaining(now: now), reset: bucket.fullAt(now: now))
        }
        return (snapshot(self.requests), snapshot(self.inputTokens), snapshot(self.outputTokens), snapshot(self.tokens))
    }
}
