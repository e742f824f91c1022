import PromptlineJSON

/// How long a prompt-cache entry lives after its last write or read, as the API offers it
/// (`cache_control.ttl`).
enum CacheLifetime: Sendable, Equatable {
    /// The default lifetime: priced at 1.25× the input price per token written.
    case fiveMinutes
    /// The one-hour lifetime: priced at 2× per token written; what the Batches API needs, since a
    /// batch's requests may run long after the prefix was primed.
    case oneHour

    /// The lifetime itself.
    var duration: Duration {
        switch self {
        case .fiveMinutes: .seconds(300)
        case .oneHour: .seconds(3600)
        }
    }

    /// The `cache_control` object of a breakpoint with this lifetime. The five-minute one is the
    /// API's default and is sent without a `ttl`, as users write it.
    var control: JSONValue {
        switch self {
        case .fiveMinutes: .object(["type": .string("ephemeral")])
        case .oneHour: .object(["type": .string("ephemeral"), "ttl": .string("1h")])
        }
    }
}
