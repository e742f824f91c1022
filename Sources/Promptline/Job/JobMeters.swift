import Logging

/// The policies and counters one job's requests share: what they update while the job runs, and
/// what the progress line and the summary read.
struct JobMeters: Sendable {
    let counters: JobCounters
    /// Breakers, adaptive throttles and the retry budget, per model.
    let health: ModelHealth
    let spend: SpendMeter
    /// Rate limits and the concurrency window, per model.
    let throttle: Throttle
    /// Cache breakpoints and their priming.
    let promptCache: PromptCache

    /// The meters for a job run with `options`, on the job's clock. `remembered` is what earlier
    /// jobs learned of each model (its windows start at the room those limits leave).
    init(options: JobOptions, remembered: [String: ModelMemory], clock: JobClock, logger: Logger) {
        counters = JobCounters()
        health = ModelHealth(
            configuration: options.breaker, breakersEnabled: options.breakersEnabled, budget: RetryBudget(), logger: logger,
            clock: clock)
        spend = SpendMeter(budget: options.budgetUSD, prices: options.prices)
        throttle = Throttle(
            requestsPerMinute: options.requestsPerMinute, inputTokensPerMinute: options.inputTokensPerMinute,
            outputTokensPerMinute: options.outputTokensPerMinute, maximumConcurrency: options.concurrency,
            headerAware: options.rateLimitHeaders, remembered: remembered, clock: clock)
        promptCache = PromptCache(mode: options.promptCache, primeWait: options.primeWait, clock: clock)
    }
}
