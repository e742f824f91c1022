/// Whether promptline puts prompt-cache breakpoints on the prefixes records share (`--prompt-cache`).
public enum PromptCacheMode: String, Sendable, CaseIterable {
    /// Breakpoints on a shared prefix that reaches the model's minimum cacheable length and recurs,
    /// primed before records read it.
    case auto
    /// Requests are sent as written.
    case off
}
