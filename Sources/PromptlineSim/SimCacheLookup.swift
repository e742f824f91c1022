/// What the prompt cache made of one request: the tokens it reads, the tokens it writes (by
/// lifetime) and the entries it will insert once its answer is sent.
///
/// `inputTokens` = uncached input + writes + reads, as the API's `usage` adds up.
struct SimCacheLookup: Sendable, Equatable {
    /// An entry the request writes when its answer is sent.
    struct Write: Sendable, Equatable {
        var key: SimCacheKey
        var ttl: SimCacheTTL
    }

    /// The request's whole input (`max(1, body bytes / 4)`).
    var inputTokens: Int
    /// `cache_read_input_tokens`.
    var readTokens = 0
    /// `cache_creation.ephemeral_5m_input_tokens`.
    var write5mTokens = 0
    /// `cache_creation.ephemeral_1h_input_tokens`.
    var write1hTokens = 0
    /// The entries to insert, one per breakpoint written.
    var writes: [Write] = []

    /// `cache_creation_input_tokens`.
    var writeTokens: Int { write5mTokens + write1hTokens }

    /// `input_tokens`: what is neither read nor written.
    var uncachedInputTokens: Int { inputTokens - readTokens - writeTokens }

    /// What the input-tokens rate limit (ITPM) is charged: uncached input and writes; reads do not
    /// count (API-NOTES §3.1, `docs/rate-limits`).
    var rateLimitedInputTokens: Int { inputTokens - readTokens }

    /// The answer's `usage` with these cache figures.
    func usage(outputTokens: Int) -> SimMessage.Usage {
        var usage = SimMessage.Usage(inputTokens: uncachedInputTokens, outputTokens: outputTokens)
        usage.cacheReadInputTokens = readTokens
        usage.cacheCreationInputTokens = writeTokens
        usage.cacheCreation.ephemeral5mInputTokens = write5mTokens
        usage.cacheCreation.ephemeral1hInputTokens = write1hTokens
        return usage
    }
}
