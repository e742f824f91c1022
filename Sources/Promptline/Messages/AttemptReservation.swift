/// Everything one attempt holds before and while its request is out: the prompt cache's ticket,
/// a request slot with its rate-limit charge, the breaker's admission and the spend reserved for
/// its worst case. Taken step by step (``RequestRunner`` acquires them in order) and released
/// together, exactly once: by ``answered(_:)`` or ``failed(_:deadlineCut:)`` when the request has
/// an outcome, otherwise when the value ends (a stop, a cancelled send, a model found missing, an
/// empty budget), so no exit path gives anything back by hand.
struct AttemptReservation: ~Copyable {
    let model: String
    /// The request body, with the cache breakpoints the ticket asks for.
    let body: [UInt8]
    private let throttle: Throttle
    private let health: ModelHealth
    private let spend: SpendMeter
    private let promptCache: PromptCache
    private var ticket: PromptCache.Ticket?
    private var permit: Throttle.Permit?
    private var admitted = false
    private var reserved: Double?

    init(model: String, body: [UInt8], ticket: PromptCache.Ticket, runner: RequestRunner) {
        self.model = model
        self.body = body
        self.ticket = ticket
        self.throttle = runner.throttle
        self.health = runner.health
        self.spend = runner.spend
        self.promptCache = runner.promptCache
    }

    /// Holds a request slot (and its rate-limit charge).
    mutating func hold(_ permit: Throttle.Permit) { self.permit = permit }

    /// Holds the breaker's admission of a request to the model.
    mutating func holdAdmission() { admitted = true }

    /// Holds `amount` of the budget, reserved already.
    mutating func hold(reserved amount: Double) { reserved = amount }

    /// The request was answered: its slot stays taken until the answer is committed (the permit
    /// returned is given back then); the rest settles at the usage reported.
    consuming func answered(_ success: MessagesClient.Success) -> Throttle.Permit? {
        let permit = self.permit.take()
        if let permit {
            // Input tokens for ITPM include cache writes (cache reads do not count), as the API meters them.
            throttle.answered(
                permit, headers: success.rateLimit, inputTokens: success.inputTokens + success.cacheCreationInputTokens,
                outputTokens: success.outputTokens, keepingSlot: true)
        }
        if let ticket = ticket.take() { promptCache.answered(ticket, tokens: success.tokens) }
        if admitted {
            admitted = false
            health.record(model, failure: nil)
        }
        spend.settle(reserved: reserved.take() ?? 0, model: model, tokens: success.tokens)
        return permit
    }

    /// The request failed: its charge and slot go back, the throttle and the breaker learn from the
    /// failure, unless the record's own deadline cut the attempt short (`deadlineCut`: no verdict on
    /// the model).
    consuming func failed(_ failure: RequestFailure, deadlineCut: Bool) {
        if let permit = permit.take() { throttle.failed(permit, failure: failure) }
        if admitted, !deadlineCut {
            admitted = false
            health.record(model, failure: failure)
        }
    }

    deinit {
        if let permit { throttle.cancelled(permit) }
        if admitted { health.release(model) }
        if let reserved { spend.release(reserved) }
        if let ticket { promptCache.abandoned(ticket) }
    }
}
