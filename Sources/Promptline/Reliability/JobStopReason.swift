/// A condition that stops the whole job instead of burning every record as `errored`.
enum JobStopReason: Sendable, Equatable, CustomStringConvertible {
    /// 401: the key is missing, wrong or revoked.
    case authentication(String)
    /// 403: the key may not use this resource.
    case permission(String)
    /// The organisation's monthly spend limit is reached.
    case spendLimit
    /// The prepaid credit balance is exhausted.
    case creditBalance
    /// 402 `billing_error`: a billing or payment problem.
    case billing(String)
    /// A workspace or user-set API usage limit is reached (a 400 saying so).
    case usageLimit(String)
    /// Every model's breaker stayed open longer than `--max-outage`.
    case outage(after: Duration)
    /// The estimated spend would pass `--budget-usd`.
    case budget(Double)
    /// `--budget-usd` was given but this model has no price, so the budget cannot be kept.
    case unpriced(String)
    /// `--deadline` passed before every record was sent.
    case deadline(Deadline)

    /// Recognises the job-wide conditions among API failures.
    init?(_ failure: RequestFailure) {
        switch failure.status {
        case 401: self = .authentication(failure.message)
        case 403: self = .permission(failure.message)
        case 429 where failure.errorCode == "enforced_spend_limit_reached" && failure.retryAfter == nil: self = .spendLimit
        case 400 where failure.message.lowercased().contains("credit balance"): self = .creditBalance
        case 400 where failure.message.lowercased().contains("api usage limits"): self = .usageLimit(failure.message)
        case 402: self = .billing(failure.message)
        default: return nil
        }
    }

    /// The process exit status (SPEC §7): authentication and permission refused, a usage error for
    /// a model without a price under a budget, stopped early (resume later) otherwise.
    var exitStatus: ExitStatus {
        switch self {
        case .authentication, .permission: .notPermitted
        case .unpriced: .usage
        case .spendLimit, .creditBalance, .billing, .usageLimit, .outage, .budget, .deadline: .stoppedEarly
        }
    }

    /// ``exitStatus`` as the process's exit code.
    var exitCode: Int32 { exitStatus.rawValue }

    var description: String {
        switch self {
        case .authentication(let message):
            "authentication failed (401: \(message)); check ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL, then run the same command again"
        case .permission(let message):
            "permission denied (403: \(message)); this key may not use the model or resource; nothing was marked errored"
        case .spendLimit:
            "the organisation's monthly spend limit is reached; raise it in the Console (Settings > Limits) or wait for the next month, then run the same command again: pending records are kept"
        case .creditBalance:
            "the credit balance is too low; add credits in the Console (Plans & Billing), then run the same command again: pending records are kept"
        case .billing(let message):
            "the API refused the request for billing (402: \(message)); fix the payment method or billing details in the Console (Settings > Billing), then run the same command again: pending records are kept"
        case .usageLimit(let message):
            "an API usage limit set for the workspace or organisation is reached (400: \(message)); raise it in the Console (Settings > Limits) or wait until it resets, then run the same command again: pending records are kept"
        case .outage(let limit):
            "every model stayed unavailable for \(Int(limit.seconds)) s (--max-outage); run the same command again later to resume"
        case .budget(let usd):
            "stopped before the estimated spend passed the budget of $\(usd); run again with a higher --budget-usd to continue"
        case .unpriced(let model):
            "model \(model) has no price, so --budget-usd cannot be kept; give its price in a --prices file ({\"\(model)\": {\"input\": …, \"output\": …}}) and run the same command again: pending records are kept"
        case .deadline(let deadline):
            "the deadline (\(deadline)) passed before every record was sent; what is answered is kept: run the same command again (with a later --deadline) to go on"
        }
    }
}
