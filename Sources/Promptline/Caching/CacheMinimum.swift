/// The shortest prompt prefix each model caches, in tokens: a shorter prefix is simply not
/// cached (no error, no write), so promptline adds no breakpoint below it.
///
/// Source: the prompt-caching documentation (`docs/build-with-claude/prompt-caching`, "Cache
/// limitations", as summarised in the project's API notes §11): 1,024 tokens for Sonnet 4.5 and
/// 4.6, Sonnet 4, Sonnet 3.7, Opus 4 and Opus 4.1; 4,096 for Opus 4.5, 4.6 and 4.7 and Haiku 4.5;
/// 2,048 for Haiku 3.5 and Haiku 3; 512 for Opus 5 (its release notes). A model missing here gets
/// no automatic breakpoint: caching it blind could only cost a write that is never read.
enum CacheMinimum {
    /// Minimum cacheable tokens by model family (an id without its snapshot date).
    static let tokensByFamily: [String: Int] = [
        "claude-opus-5": 512,
        "claude-opus-4-7": 4096,
        "claude-opus-4-6": 4096,
        "claude-opus-4-5": 4096,
        "claude-haiku-4-5": 4096,
        "claude-opus-4-1": 1024,
        "claude-opus-4": 1024,
        "claude-opus-4-0": 1024,
        "claude-sonnet-4-6": 1024,
        "claude-sonnet-4-5": 1024,
        "claude-sonnet-4": 1024,
        "claude-sonnet-4-0": 1024,
        "claude-3-7-sonnet": 1024,
        "claude-3-5-haiku": 2048,
        "claude-3-haiku": 2048,
    ]

    /// The smallest minimum of the table.
    static let smallest = tokensByFamily.values.min() ?? 0

    /// The minimum for `model` (an alias or a dated id), nil when the model is not in the table.
    static func tokens(for model: String) -> Int? {
        ModelName.lookupNames(model).lazy.compactMap { tokensByFamily[$0] }.first
    }
}
