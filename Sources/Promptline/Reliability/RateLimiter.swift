/// The client-side rate limiter: throttles dispatch BEFORE the API's limits are hit.
///
/// A pure state machine in the style of swift-nio's: no clock, no locks, no sleeping. Every
/// method takes the current time `now` (seconds, any fixed origin shared with the `-reset`
/// headers, normally seconds since 1970) and the caller wraps the value in a `Mutex`.
///
/// ## Model
/// One continuously replenished token bucket ("cell") per dimension, as the API meters them:
/// `requests`, `input_tokens`, `output_tokens`, and `tokens` (input + output) when the
/// headers report it. A cell's capacity is its per-minute limit and it refills at limit/60 per
/// second. A dimension without a seeded limit is unlimited until a response's headers teach it.
///
/// ## Charging
/// - ``reserve(inputTokens:maxTokens:now:)`` charges 1 request, the caller's input-token
///   estimate, and an output-token *estimate* (see ``outputEstimate(maxTokens:)``): the API
///   counts output tokens as they are generated, not `max_tokens`.
/// - ``settle(_:inputTokens:outputTokens:now:)`` replaces the estimates with the reported usage
///   (refunding over-estimates, charging under-estimates; a cell may go into debt).
/// - ``release(_:now:)`` gives everything back for a request the API never counted.
/// - ``observe(_:now:)`` re-synchronises limits and levels from every response's headers.
/// - ``pause(until:)`` stops all dispatch until a 429's `retry-after` has passed.
struct RateLimiter: Sendable {
    /// What one admitted request was charged; hand it back to ``settle(_:inputTokens:outputTokens:now:)``
    /// or ``release(_:now:)`` — exactly one of them per admitted reservation: until then its
    /// charges count as in flight (see ``observe(_:now:)``).
    struct Reservation: Sendable, Equatable {
        /// Requests charged (always 1).
        let requests: Int
        /// Input tokens charged: the caller's estimate.
        let inputTokens: Int
        /// Output tokens charged: the limiter's estimate, never more than the request's `max_tokens`.
        let outputTokens: Int
        /// The input-token ratio in force when reserved, to recover the byte-based base estimate.
        let inputRatio: Double
        /// Which cells were charged (bit per ``Dimension``); a cell learned later was not.
        let charged: UInt8
    }

    /// The answer to ``reserve(inputTokens:maxTokens:now:)``.
    enum Decision: Sendable, Equatable {
        /// Send now; the reservation has been charged.
        case admit(Reservation)
        /// Ask again at `until` (always later than the `now` asked with): the earliest time every
        /// cell holds enough, or the end of a global pause.
        case wait(until: Double)
    }

    /// The metered dimensions, in the order used to break ties for ``bindingDimension``.
    enum Dimension: Int, CaseIterable, Sendable {
        case requests, inputTokens, outputTokens, tokens

        /// The name used by ``limits``.
        var key: String { binding.rawValue }

        /// The ``Binding`` this dimension is when it makes a request wait.
        var binding: Binding {
            switch self {
            case .requests: .requests
            case .inputTokens: .inputTokens
            case .outputTokens: .outputTokens
            case .tokens: .tokens
            }
        }
        var bit: UInt8 { 1 << UInt8(rawValue) }
    }

    /// What made a request wait: a metered dimension, or a job-wide pause. Progress lines and the
    /// summary spell it as its raw value.
    enum Binding: String, Sendable, Codable, CustomStringConvertible {
        case requests
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case tokens
        /// A 429's `retry-after` pause (``pause(until:)``).
        case pause

        var description: String { rawValue }
    }

    /// One continuously replenished token bucket.
    struct Cell: Sendable {
        /// The per-minute limit.
        var capacity: Double
        /// Tokens available at `updated` (negative: in debt after an under-estimate).
        var level: Double
        /// Time of `level`; nil until first used (the cell is then full).
        var updated: Double?
        /// Charged by reservations not yet settled or released (usage the server may not have counted yet).
        var outstanding: Double = 0

        var rate: Double { capacity / 60 }

        init(limit: Int, level: Double? = nil, now: Double? = nil) {
            self.capacity = Double(max(1, limit))
            self.level = level ?? self.capacity
            self.updated = now
        }

        /// Brings `level` forward to `now` (time going backwards is ignored).
        mutating func advance(to now: Double) {
            guard let updated else {
                self.updated = now
                return
            }
            if now > updated {
                level = min(capacity, level + (now - updated) * rate)
                self.updated = now
            }
        }

        /// Seconds from the last `advance` until `amount` (capped at the capacity, so an
        /// oversized request needs a full bucket) is available; 0 when it already is.
        func secondsUntil(_ amount: Double) -> Double {
            let shortfall = min(amount, capacity) - level
            return shortfall > RateLimiter.tolerance ? shortfall / rate : 0
        }

        mutating func take(_ amount: Double) {
            level -= amount
            outstanding += amount
        }

        /// Moves `amount` out of the outstanding charges, changing the level by `correction`
        /// (positive: a refund), never above the capacity.
        mutating func finish(_ amount: Double, correction: Double) {
            outstanding = max(0, outstanding - amount)
            level = min(capacity, level + correction)
        }
    }

    /// Floating-point slack when comparing a level with what is needed (tokens).
    static let tolerance = 1e-6
    /// Weight of a new sample in the smoothed estimators once they have `1 / smoothing` samples
    /// (before that, a plain running mean).
    static let smoothing = 0.1
    /// Bounds of the learned input-token ratio.
    static let ratioBounds = 0.05...20.0

    private var requestsCell: Cell?
    private var inputCell: Cell?
    private var outputCell: Cell?
    private var tokensCell: Cell?

    private var pauseEnd: Double?
    /// Per dimension (by `Dimension.rawValue`), what reservations in flight would have charged a
    /// cell not known when they were admitted: the server counts them, so a cell learned later
    /// starts that much lower.
    private var unmetered: [Double] = [0, 0, 0, 0]
    private var lastBinding: Binding?

    private let initialOutputEstimate: Int
    private var outputAverage: Double
    private var outputSamples = 0
    private var inputRatio = 1.0
    private var inputSamples = 0

    /// Creates a limiter with the limits known before the first response (the `--rpm`,
    /// `--itpm`, `--otpm` flags). A nil dimension is unlimited until learned from headers.
    /// Seeded cells start full, as the API's buckets do.
    /// - Parameter initialOutputEstimate: output tokens reserved per request before any usage
    ///   has been reported (capped by each request's `max_tokens`); 256 by default.
    init(
        requestsPerMinute: Int?, inputTokensPerMinute: Int?, outputTokensPerMinute: Int?,
        initialOutputEstimate: Int = 256
    ) {
        self.requestsCell = requestsPerMinute.map { Cell(limit: $0) }
        self.inputCell = inputTokensPerMinute.map { Cell(limit: $0) }
        self.outputCell = outputTokensPerMinute.map { Cell(limit: $0) }
        self.initialOutputEstimate = max(0, initialOutputEstimate)
        self.outputAverage = Double(self.initialOutputEstimate)
    }

    private subscript(dimension: Dimension) -> Cell? {
        get {
            switch dimension {
            case .requests: requestsCell
            case .inputTokens: inputCell
            case .outputTokens: outputCell
            case .tokens: tokensCell
            }
        }
        set {
            switch dimension {
            case .requests: requestsCell = newValue
            case .inputTokens: inputCell = newValue
            case .outputTokens: outputCell = newValue
            case .tokens: tokensCell = newValue
            }
        }
    }

    // MARK: - Admission

    /// Output tokens reserved for a request with this `max_tokens`: the smoothed average of the
    /// output tokens reported so far (``initialOutputEstimate`` before the first report),
    /// rounded up, never more than `maxTokens` and never negative.
    func outputEstimate(maxTokens: Int) -> Int {
        let average = outputSamples == 0 ? Double(initialOutputEstimate) : outputAverage
        return max(0, min(maxTokens, Int(average.rounded(.up))))
    }

    /// Admits one request now, charging it, or says when to ask again.
    ///
    /// A request is admitted when every known cell holds what it needs: 1 request, `inputTokens`
    /// input tokens, the output estimate, and both for the combined `tokens` cell. A need larger
    /// than a cell's capacity is admitted when that cell is full (the cell then goes into debt),
    /// so an oversized request is never stuck. While a pause is on, the answer is the pause's end.
    /// - Parameters:
    ///   - inputTokens: the request's estimated input tokens; pass
    ///     ``estimatedInputTokens(forBodyBytes:)`` so that settling can learn the ratio.
    ///   - maxTokens: the request's `max_tokens`, the ceiling of the output estimate.
    mutating func reserve(inputTokens: Int, maxTokens: Int, now: Double) -> Decision {
        if let pauseEnd {
            if now < pauseEnd {
                lastBinding = .pause
                return .wait(until: pauseEnd)
            }
            self.pauseEnd = nil
        }
        let input = max(0, inputTokens)
        let output = outputEstimate(maxTokens: maxTokens)
        let amounts = Self.amounts(requests: 1, input: input, output: output)

        var until = now
        var binding: Dimension?
        for dimension in Dimension.allCases {
            guard var cell = self[dimension] else { continue }
            cell.advance(to: now)
            self[dimension] = cell
            let ready = now + cell.secondsUntil(amounts[dimension.rawValue])
            if ready > until {
                until = ready
                binding = dimension
            }
        }
        if let binding {
            lastBinding = binding.binding
            return .wait(until: until)
        }

        var charged: UInt8 = 0
        for dimension in Dimension.allCases {
            guard var cell = self[dimension] else {
                unmetered[dimension.rawValue] += amounts[dimension.rawValue]
                continue
            }
            cell.take(amounts[dimension.rawValue])
            self[dimension] = cell
            charged |= dimension.bit
        }
        return .admit(
            Reservation(
                requests: 1, inputTokens: input, outputTokens: output,
                inputRatio: inputRatio, charged: charged))
    }

    /// Replaces a reservation's estimates with the usage the API reported: over-estimates are
    /// refunded (never above a cell's capacity), under-estimates charged (a cell may go into
    /// debt, delaying later admissions). Also feeds the output-token average and the
    /// input-token ratio.
    mutating func settle(_ reservation: Reservation, inputTokens: Int, outputTokens: Int, now: Double) {
        let input = max(0, inputTokens)
        let output = max(0, outputTokens)
        let reserved = Self.amounts(
            requests: reservation.requests, input: reservation.inputTokens,
            output: reservation.outputTokens)
        let used = Self.amounts(requests: reservation.requests, input: input, output: output)
        forgetUnmetered(reservation, amounts: reserved)
        for dimension in Dimension.allCases where reservation.charged & dimension.bit != 0 {
            guard var cell = self[dimension] else { continue }
            cell.advance(to: now)
            let index = dimension.rawValue
            cell.finish(reserved[index], correction: reserved[index] - used[index])
            self[dimension] = cell
        }

        outputSamples += 1
        outputAverage += Self.weight(samples: outputSamples) * (Double(output) - outputAverage)

        if reservation.inputTokens > 0, input > 0 {
            let base = Double(reservation.inputTokens) / reservation.inputRatio
            inputSamples += 1
            let sample = Double(input) / base
            let ratio = inputRatio + Self.weight(samples: inputSamples) * (sample - inputRatio)
            inputRatio = min(Self.ratioBounds.upperBound, max(Self.ratioBounds.lowerBound, ratio))
        }
    }

    /// Gives back everything a reservation charged (requests too): for a request that failed
    /// without the API counting it (connection refused, never sent).
    mutating func release(_ reservation: Reservation, now: Double) {
        let reserved = Self.amounts(
            requests: reservation.requests, input: reservation.inputTokens,
            output: reservation.outputTokens)
        forgetUnmetered(reservation, amounts: reserved)
        for dimension in Dimension.allCases where reservation.charged & dimension.bit != 0 {
            guard var cell = self[dimension] else { continue }
            cell.advance(to: now)
            cell.finish(reserved[dimension.rawValue], correction: reserved[dimension.rawValue])
            self[dimension] = cell
        }
    }

    /// The input tokens to expect from a request body of `bodyBytes` bytes: ``TokenEstimate``, times
    /// the learned ratio of reported to estimated input tokens (1 until the first settle; a
    /// smoothed running mean, bounded to 0.05...20), at least 1.
    func estimatedInputTokens(forBodyBytes bodyBytes: Int) -> Int {
        TokenEstimate.inputTokens(bodyBytes: bodyBytes, ratio: inputRatio)
    }

    /// The learned ratio of reported to byte-estimated input tokens.
    var inputTokenRatio: Double { inputRatio }

    // MARK: - Server feedback

    /// Re-synchronises from a response's `anthropic-ratelimit-*` headers (call for EVERY
    /// response, errors included).
    ///
    /// For each dimension reported:
    /// - the limit is adopted as the cell's capacity (limits can change mid-job; a dimension not
    ///   known before is learned, its cell starting at the reported `remaining`); a lower limit
    ///   also caps the level;
    /// - the level follows the server's `remaining` minus what we have reserved and not yet
    ///   settled or released, downwards only: other processes and shards share the
    ///   organisation's limit, so a lower server figure wins; the response may predate our other
    ///   requests in flight (or, for output tokens, their generation), so those are taken off;
    ///   and answers arrive out of order, so a higher figure may be stale and never raises the
    ///   level (the cell refills on its own at the limit's rate). Call it after settling or
    ///   releasing the answered request's own reservation, which the figure already counts.
    ///
    /// The `-reset` times are not needed by the model (a cell refills at limit/60 per second)
    /// and are ignored.
    mutating func observe(_ headers: RateLimitHeaders, now: Double) {
        let reported: [(Dimension, RateLimitHeaders.Dimension?)] = [
            (.requests, headers.requests), (.inputTokens, headers.inputTokens),
            (.outputTokens, headers.outputTokens), (.tokens, headers.tokens),
        ]
        for case let (dimension, figures?) in reported {
            let limit = max(1, figures.limit)
            let remaining = Double(min(max(0, figures.remaining), limit))
            guard var cell = self[dimension] else {
                self[dimension] = Cell(limit: limit, level: remaining - unmetered[dimension.rawValue], now: now)
                continue
            }
            cell.advance(to: now)
            cell.capacity = Double(limit)
            cell.level = min(cell.level, cell.capacity)
            // What the server has left, minus what we have reserved and it may not have counted yet;
            // never raised: answers arrive out of order, and an older, higher figure is stale.
            cell.level = min(cell.level, remaining - cell.outstanding - unmetered[dimension.rawValue])
            self[dimension] = cell
        }
    }

    private mutating func forgetUnmetered(_ reservation: Reservation, amounts: [Double]) {
        for dimension in Dimension.allCases where reservation.charged & dimension.bit == 0 {
            unmetered[dimension.rawValue] = max(0, unmetered[dimension.rawValue] - amounts[dimension.rawValue])
        }
    }

    /// Pauses all dispatch job-wide until `until` (a 429's `retry-after`); of two pauses the
    /// later end is kept.
    mutating func pause(until: Double) {
        pauseEnd = max(pauseEnd ?? until, until)
    }

    // MARK: - Introspection

    /// The per-minute limit of each known dimension, seeded or learned, keyed `requests`,
    /// `input_tokens`, `output_tokens`, `tokens`. An absent key is unlimited (so far).
    var limits: [String: Int] {
        var result: [String: Int] = [:]
        for dimension in Dimension.allCases {
            if let cell = self[dimension] { result[dimension.key] = Int(cell.capacity) }
        }
        return result
    }

    /// What made the last `wait` answer: a dimension (the one needing the longest wait) or the
    /// pause. Nil before the first wait; not cleared by admissions.
    var bindingDimension: Binding? { lastBinding }

    /// The end of the current (or last) global pause; cleared by the first ``reserve(inputTokens:maxTokens:now:)``
    /// at or after it.
    var pausedUntil: Double? { pauseEnd }

    /// How many more requests charged like `reservation` every known cell would admit at `now`
    /// (0 during a pause; nil while no cell is known: no limit seeded or learned yet). The
    /// concurrency window's slow start opens to it (see ``ConcurrencyWindow``).
    func room(like reservation: Reservation, now: Double) -> Int? {
        room(input: reservation.inputTokens, output: reservation.outputTokens, now: now)
    }

    /// How many requests of `bodyBytes` bytes and this `max_tokens`, charged as
    /// ``reserve(inputTokens:maxTokens:now:)`` would charge them, every known cell would admit at
    /// `now` (nil while no cell is known): the room a window can start at before any answer.
    func room(forBodyBytes bodyBytes: Int, maxTokens: Int, now: Double) -> Int? {
        room(input: estimatedInputTokens(forBodyBytes: bodyBytes), output: outputEstimate(maxTokens: maxTokens), now: now)
    }

    private func room(input: Int, output: Int, now: Double) -> Int? {
        if let pauseEnd, now < pauseEnd { return 0 }
        let amounts = Self.amounts(requests: 1, input: input, output: output)
        var room: Double?
        for dimension in Dimension.allCases {
            guard var cell = self[dimension], amounts[dimension.rawValue] > 0 else { continue }
            cell.advance(to: now)
            room = min(room ?? .infinity, max(0, cell.level) / amounts[dimension.rawValue])
        }
        // Capped well inside Int: a limit the server reports as a billion a minute is room enough.
        return room.map { Int(min($0, 1e9).rounded(.down)) }
    }

    /// Tokens available in a dimension's cell at `now` (nil: unlimited), for progress and tests.
    func available(_ key: String, now: Double) -> Double? {
        guard let dimension = Dimension.allCases.first(where: { $0.key == key }),
            var cell = self[dimension]
        else { return nil }
        cell.advance(to: now)
        return cell.level
    }

    // MARK: - Helpers

    /// Amounts per cell, indexed by `Dimension.rawValue`.
    private static func amounts(requests: Int, input: Int, output: Int) -> [Double] {
        [Double(requests), Double(input), Double(output), Double(input + output)]
    }

    /// Running mean for the first 1/smoothing samples, then an exponential moving average.
    private static func weight(samples: Int) -> Double {
        max(1 / Double(samples), smoothing)
    }
}
