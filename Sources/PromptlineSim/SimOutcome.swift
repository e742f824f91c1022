/// How the simulator answered one message request, as `GET /_sim/stats` counts it (`by_status`
/// and `by_model`, keyed by ``description``).
enum SimOutcome: Sendable, Equatable, CustomStringConvertible {
    /// A response with this HTTP status (`200` for an answer, even a truncated one).
    case status(Int)
    /// No answer until the client gave up (or the hang limit).
    case hang
    /// The connection closed without a response.
    case reset
    /// A hostile 200 (not JSON, not a Messages response, endless, cut short, huge): counted under
    /// the fault's name.
    case hostile(SimFault)

    /// The stats key: the status code, `hang`, `reset`, or the fault's raw value.
    var description: String {
        switch self {
        case .status(let status): String(status)
        case .hang: "hang"
        case .reset: "reset"
        case .hostile(let fault): fault.rawValue
        }
    }
}
