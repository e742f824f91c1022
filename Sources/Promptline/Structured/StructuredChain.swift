/// One JSON record's way to its final answer: its own request's answer, then, while that is cut
/// at `max_tokens`, the answers of the same request with `max_tokens` raised (``MaxTokensLadder``).
/// Fed answers one by one (from the store or from requests), it says which request comes next,
/// and builds the answer the output line shows (``presented``).
///
/// The line shows the last answer, with `served_by.max_tokens_raised` listing the `max_tokens`
/// of each request when there was more than one. A raised request that ends errored does not
/// hide the cut answer before it: that one is shown, with `parse_error: "max_tokens"`.
struct StructuredChain: Sendable {
    /// What to do after an answer.
    enum Step: Sendable {
        /// Ask (or look up) this request next.
        case next(RequestRecord)
        /// ``presented`` is final.
        case done
    }

    let record: RequestRecord
    private var ladder: MaxTokensLadder
    private var current: RequestRecord
    private var answers: [StoredAnswer] = []
    private var extraRequests = 0

    init(record: RequestRecord, cap: Int) {
        self.record = record
        self.current = record
        self.ladder = MaxTokensLadder(start: record.maxTokens, cap: cap)
    }

    /// The request whose answer is awaited.
    var pending: RequestRecord { current }

    /// Takes the answer to ``pending``.
    mutating func take(_ answer: StoredAnswer) -> Step {
        if !answers.isEmpty { extraRequests += 1 }
        if answer.state == .errored, !answers.isEmpty {
            ladder.dropLast()
            return .done
        }
        answers.append(answer)
        let cut = answer.state == .succeeded && StructuredOutcome(of: answer) == .cut
        switch ladder.next(cut: cut) {
        case .raise(let maxTokens):
            current = record.raisingMaxTokens(to: maxTokens)
            return .next(current)
        case .done, .capped:
            return .done
        }
    }

    /// The answer the output line shows, with its ``StructuredPresentation``.
    var presented: StoredAnswer {
        guard var shown = answers.last else { preconditionFailure("an answer was taken") }
        let outcome = StructuredOutcome(of: shown)
        let kind: StructuredPresentation.Kind
        switch outcome {
        case .parsed: kind = answers.count > 1 ? .madeWhole : .parsed
        case .refusal: kind = .refused
        case .cut: kind = .cut
        case .unparsable: kind = .unparsable
        case .noAnswer: kind = .errored
        }
        if ladder.steps.count > 1, shown.servedBy.last == UInt8(ascii: "}") {
            var servedBy = shown.servedBy.dropLast() + Array(#","max_tokens_raised":["#.utf8)
            servedBy += Array(ladder.steps.map(String.init).joined(separator: ",").utf8)
            servedBy += Array("]}".utf8)
            shown.servedBy = Array(servedBy)
        }
        let extraTokens = answers.dropFirst().reduce(0) {
            $0 + $1.inputTokens + $1.outputTokens + $1.cacheCreationTokens + $1.cacheReadTokens
        }
        shown.structured = StructuredPresentation(
            kind: kind, fields: outcome.lineFields, extraRequests: extraRequests, extraTokens: extraTokens)
        return shown
    }
}

extension StructuredChain {
    /// Replaces the stored answers of the JSON records of `batch` with the answers their lines
    /// show, following each cut answer's raised requests through `lookup`; a record whose chain
    /// reaches a request not answered yet is removed from `stored` (it must be sent).
    ///
    /// - Parameter lookup: the stored answers of the given records' keys (as ``Store`` finds them).
    static func present(
        _ batch: [ParsedRecord], stored: inout [RequestKey: StoredAnswer], cap: Int,
        lookup: ([ParsedRecord]) async throws -> [RequestKey: StoredAnswer]
    ) async throws {
        var walking: [StructuredChain] = []
        var seen = Set<RequestKey>()
        for case .valid(let record) in batch where record.asksForJSON && seen.insert(record.key).inserted {
            guard let answer = stored[record.key] else { continue }
            var chain = StructuredChain(record: record, cap: cap)
            switch chain.take(answer) {
            case .done: stored[record.key] = chain.presented
            case .next: walking.append(chain)
            }
        }
        while !walking.isEmpty {
            let found = try await lookup(walking.map { .valid($0.pending) })
            var still: [StructuredChain] = []
            for var chain in walking {
                guard let answer = found[chain.pending.key] else {
                    stored.removeValue(forKey: chain.record.key)
                    continue
                }
                switch chain.take(answer) {
                case .done: stored[chain.record.key] = chain.presented
                case .next: still.append(chain)
                }
            }
            walking = still
        }
    }

    /// The requests the records of `batch` need next: a JSON record whose own answer is cut is
    /// replaced by its first raised request not answered yet (records whose chain is complete, and
    /// all others, stay as they are).
    static func nextRequests(
        _ batch: [ParsedRecord], cap: Int, lookup: ([ParsedRecord]) async throws -> [RequestKey: StoredAnswer]
    ) async throws -> [ParsedRecord] {
        var chains: [RequestKey: StructuredChain] = [:]
        for case .valid(let record) in batch where record.asksForJSON { chains[record.key] = StructuredChain(record: record, cap: cap) }
        guard !chains.isEmpty else { return batch }
        var next: [RequestKey: RequestRecord] = [:]
        var walking = Array(chains.values)
        while !walking.isEmpty {
            let found = try await lookup(walking.map { .valid($0.pending) })
            var still: [StructuredChain] = []
            for var chain in walking {
                guard let answer = found[chain.pending.key] else {
                    if chain.pending.key != chain.record.key { next[chain.record.key] = chain.pending }
                    continue
                }
                if case .next = chain.take(answer) { still.append(chain) }
            }
            walking = still
        }
        guard !next.isEmpty else { return batch }
        return batch.map { parsed in
            if case .valid(let record) = parsed, let raised = next[record.key] { return .valid(raised) }
            return parsed
        }
    }
}
