/// The lifetime a prompt-cache breakpoint asks for (`cache_control.ttl`): 5 minutes unless it
/// says `"1h"`, as the API documents (API-NOTES §11).
enum SimCacheTTL: String, Sendable, Hashable {
    case fiveMinutes = "5m"
    case oneHour = "1h"

    /// The lifetime in seconds; a read starts it again.
    var seconds: Double {
        switch self {
        case .fiveMinutes: return 300
        case .oneHour: return 3600
        }
    }
}
