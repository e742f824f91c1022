/// The shortest prompt prefix each model caches, in tokens. A breakpoint whose prefix is shorter is
/// simply not cached, with no error (the answer shows no write), as the API does.
///
/// Source: API-NOTES §11, from the API docs' `build-with-claude/prompt-caching` ("Cache limitations")
/// and, for Opus 5, the release notes. Models the docs do not list take their closest family's figure:
/// Opus 4.8 that of Opus 4.5–4.7, Sonnet 5 that of the Sonnet 4 family, Fable 5 and Mythos 5 (the
/// same generation and price tier as Opus 5) that of Opus 5; any other id gets 1,024.
enum SimCacheMinimum {
    /// Model id prefixes (aliases and dated ids both start with them) and their minimum, the most
    /// specific first: `claude-opus-4-5` must match before `claude-opus-4`.
    static let table: [(prefix: String, tokens: Int)] = [
        ("claude-opus-5", 512),
        ("claude-fable-5", 512),
        ("claude-mythos-5", 512),
        ("claude-opus-4-5", 4096),
        ("claude-opus-4-6", 4096),
        ("claude-opus-4-7", 4096),
        ("claude-opus-4-8", 4096),
        ("claude-haiku-4-5", 4096),
        ("claude-3-5-haiku", 2048),
        ("claude-3-haiku", 2048),
        ("claude-sonnet-5", 1024),
        ("claude-sonnet-4", 1024),
        ("claude-opus-4", 1024),
        ("claude-3-7-sonnet", 1024),
    ]

    /// The figure of a model the table does not name.
    static let fallback = 1024

    /// The minimum cacheable prefix of `model` (an alias or a dated id), in tokens.
    static func tokens(for model: String) -> Int {
        table.first { model.hasPrefix($0.prefix) }?.tokens ?? fallback
    }
}
