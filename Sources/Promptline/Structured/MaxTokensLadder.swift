/// When an answer to a JSON request is cut at `max_tokens`, the request is sent again as a new
/// request with `max_tokens` doubled, up to `--max-tokens-cap`: this is that policy alone, a
/// state machine with no I/O.
///
/// `steps` holds the `max_tokens` of every request made so far, the record's own first. After an
/// answer cut at the last step: the next step is twice it, at most the cap; a step already at
/// (or over) the cap ends the ladder still cut. Any other answer ends it.
struct MaxTokensLadder: Sendable, Equatable {
    /// What to do after an answer.
    enum Decision: Sendable, Equatable {
        /// The answer is final (whole, refused, errored, or not a model's answer).
        case done
        /// Send the request again with this `max_tokens`.
        case raise(to: Int)
        /// Cut at the cap: final, and still cut.
        case capped
    }

    let cap: Int
    /// The `max_tokens` of each request made, in order.
    private(set) var steps: [Int]

    init(start: Int, cap: Int) {
        self.cap = cap
        self.steps = [start]
    }

    /// The decision after the answer to the last step, `cut` when it stopped at `max_tokens`;
    /// a raise is taken as the next step.
    mutating func next(cut: Bool) -> Decision {
        guard cut else { return .done }
        let current = steps[steps.count - 1]
        guard current < cap else { return .capped }
        let raised = min(current * 2, cap)
        steps.append(raised)
        return .raise(to: raised)
    }

    /// Drops the last step (its request ended without an answer): the answer before it is the final one.
    mutating func dropLast() {
        if steps.count > 1 { steps.removeLast() }
    }
}
