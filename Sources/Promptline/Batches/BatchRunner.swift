import Foundation
import Logging
import Synchronization

/// The Message Batches backend: brings every pending key of the job to an answer in the store
/// through batches (SPEC §8), leaving the ordered output, the stop path and the summary to
/// ``JobRunner``.
///
/// In rounds: orphaned intents (a create sent, its id never recorded) are adopted by listing the
/// account's batches, or dropped when no batch matches; pending keys are read from the input and
/// grouped into batches, each intent committed before its create and its id right after; every
/// open batch is polled until it ends and its results are streamed into the store. Keys whose
/// result was expired, canceled or a transient error go into the next round's batches.
///
/// A stop (a signal, the deadline, a job-wide condition such as 401/403, billing, budget or an
/// outage) goes through the job's ``StopPath``: waits end at once, nothing new is created, and a
/// create already sent gets the grace period so that its id is recorded. Batches already created
/// keep running (they are paid work); a resume collects them.
struct BatchRunner: Sendable {
    let options: JobOptions
    let batch: BatchOptions
    let store: Store
    let client: BatchesClient
    let logger: Logger
    /// Intents, polls, priming and the deadline plan are reckoned in wall-clock time: an intent's
    /// time is matched against the API's `created_at`, and the store keeps it for a later process.
    let wallClock: WallClock
    let stderr: @Sendable (String) -> Void
    /// Which records get cache breakpoints (one-hour lifetime: a batch may run long after priming);
    /// on the job's clock.
    let cache: PromptCache
    /// The job's one way to stop.
    let stopping: StopPath

    init(
        options: JobOptions, batch: BatchOptions, store: Store, client: BatchesClient, logger: Logger, stopping: StopPath,
        clock: JobClock, wallClock: WallClock = .system,
        stderr: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    ) {
        self.options = options
        self.batch = batch
        self.store = store
        self.client = client
        self.logger = logger
        self.wallClock = wallClock
        self.stderr = stderr
        self.stopping = stopping
        self.cache = PromptCache(mode: options.promptCache, lifetime: .oneHour, clock: clock)
    }

    /// The wall-clock time now, in seconds since 1970 (as intents and the API's times hold it).
    func now() -> Double { wallClock.secondsSince1970 }

    private enum Event: Sendable {
        case done
        case graceOver
        case timerEnded
    }

    /// Runs rounds until every pending key is answered in the store, or the job stops (the cause is
    /// the stop path's); returns the phase's figures.
    func run() async throws -> BatchSummary {
        let progress = Progress()
        let spend = SpendMeter(budget: options.budgetUSD, prices: options.prices.batchPriced())
        stopping.setActivity(.batches)
        try await withThrowingTaskGroup(of: Event.self) { group in
            group.addTask {
                do {
                    try await self.work(progress: progress, spend: spend)
                } catch is CancellationError {
                } catch let stop as JobStop {
                    stopping.stop(.job(stop))
                }
                return .done
            }
            group.addTask { [stopping] in await stopping.graceOver() ? .graceOver : .timerEnded }
            // The work ends, or the grace period after a stop does (a create still in flight is then
            // cancelled: its intent is adopted or dropped by the resume).
            _ = try await group.next()
            group.cancelAll()
        }
        var summary = progress.summary(now: now())
        (summary.costUSD, summary.costByModel) = spend.spent
        summary.listPriceUSD = summary.costUSD / options.prices.batchMultiplier
        summary.cacheSavedUSD = spend.savedByCache
        let tokens = summary.tokensByModel.values.reduce(TokenCount(), +)
        (summary.cacheCreationInputTokens, summary.cacheReadInputTokens) = (tokens.cacheCreation, tokens.cacheRead)
        return summary
    }

    // MARK: Rounds

    private func work(progress: Progress, spend: SpendMeter) async throws {
        let runStart = now()
        var priming = BatchPriming()
        // A deadline job submits once: what its batches leave goes through Messages, not a new round.
        var watch = try await deadlineWatch(start: runStart)
        var round = 0
        while true {
            try stopping.check()
            try await resolveOrphans(progress: progress)
            // The budget stops new batches, not the collection of those already paid for.
            var budgetStop: JobStop?
            if watch == nil || (round == 0 && watch?.switched == false) {
                do {
                    try await submitPending(
                        retryErroredBefore: options.retryErrored ? runStart : nil, priming: &priming, watch: &watch, progress: progress,
                        spend: spend)
                } catch let stop as JobStop {
                    guard case .budget = stop.reason else { throw stop }
                    budgetStop = stop
                    if !options.quiet { stderr("promptline: \(stop); collecting the batches already created first") }
                }
            }
            round += 1
            let open = try await store.openBatches().filter { $0.state == .submitted }
            if !open.isEmpty {
                progress.update { $0.rounds += 1 }
                try await collect(open, progress: progress, spend: spend, watch: &watch)
            }
            if let watch { progress.update { $0.deadline = watch.report } }
            if let budgetStop { throw budgetStop }
            if open.isEmpty { return }
        }
    }

    /// Adopts or drops every intent without an id left by a process that is gone (or by this one).
    private func resolveOrphans(progress: Progress) async throws {
        for intent in try await store.openBatches() where intent.state == .intent && store.mayResolve(intent) {
            BatchBodyFile.removeLeftover(localID: intent.localID)
            if let id = try await findOrphan(intent) {
                try await store.recordBatchSubmitted(localID: intent.localID, batchID: id)
                progress.update { $0.batchesAdopted += 1 }
                if !options.quiet { stderr("promptline: adopted batch \(id): created by an earlier run whose id was not recorded") }
            } else {
                try await store.dropBatchIntent(localID: intent.localID)
                logger.info(
                    "no batch matches an unrecorded intent; its requests go into a new batch",
                    metadata: ["batch.local": "\(intent.localID)"])
            }
        }
    }

    /// The batch an intent created, found by listing the account's batches created since the
    /// intent (newest first, paginated): one no other intent recorded, with the intent's request
    /// count and, once it has ended, only the intent's custom_ids in its results.
    private func findOrphan(_ intent: BatchRecord) async throws -> String? {
        let known = try await store.knownBatchIDs()
        var candidates: [BatchesClient.Batch] = []
        var afterID: String?
        pages: while true {
            let page: BatchesClient.Page
            switch try await call({ await client.list(limit: 100, afterID: afterID, timeout: options.timeout) }) {
            case .success(let value): page = value
            case .failure(let failure):
                logger.warning("cannot list batches to adopt an orphan", metadata: ["error": "\(failure)"])
                throw JobStop(reason: .outage(after: options.maxOutage))
            }
            for candidate in page.data {
                guard let created = candidate.createdTime else { continue }
                if created < intent.intentAt - batch.adoptionSkew.seconds { break pages }
                if !known.contains(candidate.id) && candidate.requestCounts.total == intent.requestCount {
                    candidates.append(candidate)
                }
            }
            guard page.hasMore, let last = page.lastID else { break }
            afterID = last
        }
        for candidate in candidates.reversed() {  // oldest first: the closest to the intent
            if candidate.processingStatus == "ended" {
                guard try await resultsMatch(candidate.id, intent: intent) else { continue }
            }
            return candidate.id
        }
        return nil
    }

    /// True when every line of an ended batch's results names a custom_id of the intent.
    private func resultsMatch(_ id: String, intent: BatchRecord) async throws -> Bool {
        var chunk: [String] = []
        var matched = 0
        var lines = 0
        let failure = try await client.results(id, timeout: max(options.timeout, batch.resultsTimeout)) { line in
            lines += 1
            if let entry = try? BatchResultParser.parse(line) { chunk.append(entry.customID) }
            if chunk.count >= batch.resultsPerTransaction {
                matched += try await store.countBatchCustomIDs(localID: intent.localID, chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if failure != nil { return false }
        matched += try await store.countBatchCustomIDs(localID: intent.localID, chunk)
        return lines == intent.requestCount && matched == lines
    }

    // MARK: Submission

    /// Reads the input and puts every pending key (not answered, in no open batch) into batches.
    /// A prefix that recurs is primed first (``BatchPriming``): the batch that reads it is created
    /// once the priming batch has ended, or `primeWait` has passed.
    private func submitPending(
        retryErroredBefore: Double?, priming: inout BatchPriming, watch: inout DeadlineWatch?, progress: Progress, spend: SpendMeter
    ) async throws {
        for localID in try await store.dropAbandonedBuilds() { BatchBodyFile.removeLeftover(localID: localID) }
        let input = InputStream(
            paths: options.inputs, defaults: options.defaults, maxLineBytes: options.maxLineBytes, strict: options.strict,
            shard: options.shard)
        var builder: BatchBuilder?
        var primer: BatchBuilder?
        /// Submits the batch built so far, after the priming batch it reads from has ended.
        func submitBuilt() async throws {
            if let built = primer {
                primer = nil
                try await prime(built, priming: &priming, progress: progress, spend: spend)
            }
            if let built = builder {
                builder = nil
                try await submit(built, progress: progress, spend: spend)
            }
        }
        while let read = await input.nextBatch() {
            try stopping.check()
            // A JSON answer cut at max_tokens is asked again with max_tokens raised, in the next round's batch.
            let chunk = try await StructuredChain.nextRequests(read, cap: options.defaults.maxTokensCap) { [store] in
                try await store.answers(to: $0)
            }
            var keys: [RequestKey] = []
            for case .valid(let record) in chunk { keys.append(record.key) }
            let plan = try await store.batchPlanning(keys: keys, retryErroredBefore: retryErroredBefore)
            var seen = Set<RequestKey>()
            for case .valid(let record) in chunk {
                guard !plan.skip.contains(record.key), builder?.pendingKeys.contains(record.key) != true,
                    primer?.pendingKeys.contains(record.key) != true, seen.insert(record.key).inserted
                else { continue }
                let trail = plan.rounds[record.key] ?? []
                if trail.count >= batch.maxRounds {
                    try await store.recordBatchGaveUp(
                        key: record.key, model: record.model, messagesKey: record.messagesKey, trail: trail)
                    continue
                }
                let prefix = cache.prefix(of: record)
                let placement = prefix.map { priming.place($0.levels, now: now()) } ?? .plain
                let body: [UInt8]
                var writes: (lifetime: CacheLifetime, bytes: Int)?
                switch placement {
                case .plain:
                    body = record.body
                case .primer(let levels), .member(let levels):
                    body = record.body(for: record.model, marking: levels.map { prefix!.levels[$0].anchor }, lifetime: cache.lifetime)
                    writes = (cache.lifetime, prefix!.levels[levels.last!].bytes)
                }
                // A model without a price reserves nothing, unless a budget must be kept: then the job stops.
                guard
                    let worstCase = spend.worstCase(
                        model: record.model, bodyBytes: body.count, maxTokens: record.maxTokens, cacheWrite: writes)
                        ?? (spend.budget == nil ? 0 : nil)
                else { throw JobStop(reason: .unpriced(record.model)) }
                if case .primer = placement {
                    if primer == nil {
                        primer = BatchBuilder(maxRequests: batch.batchSize, maxBytes: batch.maxBatchBytes)
                        try await store.beginBatch(localID: primer!.localID)
                    }
                    try primer!.add(record, body: body, worstCase: worstCase)
                    continue
                }
                if let current = builder, !current.fits(body) { try await submitBuilt() }
                if builder == nil {
                    // A deadline job's first batch is its probe: small, canceled early to measure the pace.
                    let probe = watch != nil && watch?.probe == nil
                    builder = BatchBuilder(
                        maxRequests: probe ? min(batch.batchSize, DeadlineWatch.probeRequests) : batch.batchSize,
                        maxBytes: batch.maxBatchBytes)
                    if probe { watch?.probe = builder!.localID }
                    try await store.beginBatch(localID: builder!.localID)
                }
                try builder!.add(record, body: body, worstCase: worstCase)
                watch?.plan.capacity.noteRecord(model: record.model, bodyBytes: body.count)
                if builder!.shouldFlushEntries {
                    try await store.addBatchEntries(localID: builder!.localID, builder!.takeEntries())
                }
                if builder!.isFull { try await submitBuilt() }
            }
        }
        try await submitBuilt()
    }

    /// Creates the priming batch and waits until it ends (its results go into the store like any
    /// other's) or `primeWait` passes; its prefixes count as primed from then on.
    private func prime(
        _ primer: BatchBuilder, priming: inout BatchPriming, progress: Progress, spend: SpendMeter
    ) async throws {
        let localID = primer.localID
        try await submit(primer, progress: progress, spend: spend)
        let created = try await store.openBatches().filter { $0.localID == localID && $0.state == .submitted }
        if !options.quiet, options.progress != .none {
            stderr(
                "promptline: priming the prompt cache: \(primer.count) request\(primer.count == 1 ? "" : "s") in a batch of their own before the batch that reads them"
            )
        }
        progress.update { $0.primingBatches += 1 }
        // A deadline job does not wait for priming: its time is for the batches.
        var none: DeadlineWatch?
        try await collect(
            created, progress: progress, spend: spend, watch: &none, until: now() + (options.deadline == nil ? batch.primeWait.seconds : 0))
        priming.primed(now: now())
    }

    /// Commits the batch's intent, creates it, and commits its id. A create whose fate is unknown
    /// (timeout, connection lost, 5xx) is looked for by listing before it is sent again.
    private func submit(_ builder: BatchBuilder, progress: Progress, spend: SpendMeter) async throws {
        var builder = builder
        let localID = builder.localID
        let count = builder.count
        let worstCase = builder.worstCase
        try await store.addBatchEntries(localID: localID, builder.takeEntries())
        let body = try builder.finish()
        defer { body.remove() }
        guard spend.reserve(worstCase) else {
            try await store.dropBatchIntent(localID: localID)
            throw JobStop(reason: .budget(spend.budget ?? 0))
        }
        try await store.commitBatchIntent(localID: localID, requestCount: count, bodyBytes: body.length)
        let intent = BatchRecord(
            localID: localID, batchID: nil, state: .intent, requestCount: count, intentAt: now() - 1, owner: store.owner)
        var outage = OutageClock()
        var retries = 0
        while true {
            // A stop that comes while the create is in flight leaves it the grace period, so its id is recorded.
            try stopping.check()
            let answer = await client.create(bodyFile: body, timeout: options.timeout)
            if case .success(let created) = answer {
                try await store.recordBatchSubmitted(localID: localID, batchID: created.id)
            }
            switch answer {
            case .success(let created):
                progress.update {
                    $0.batchesCreated += 1
                    $0.requestsSubmitted += count
                }
                progress.saw(created, localID: localID, intentAt: intent.intentAt)
                logger.info("batch created", metadata: ["batch.id": "\(created.id)", "batch.requests": "\(count)"])
                try stopping.check()
                return
            case .failure(let failure):
                if let reason = JobStopReason(failure) {
                    try await store.dropBatchIntent(localID: localID)
                    spend.release(worstCase)
                    throw JobStop(reason: reason)
                }
                let unknownFate = failure.status.map { $0 >= 500 } ?? true
                if unknownFate, let id = try await findOrphan(intent) {
                    try await store.recordBatchSubmitted(localID: localID, batchID: id)
                    progress.update {
                        $0.batchesCreated += 1
                        $0.requestsSubmitted += count
                    }
                    return
                }
                guard failure.status.map(RetryPolicy.isRetryable(status:)) ?? true else {
                    // The API refused the batch itself (400, 413): its requests end errored with its answer.
                    try await refuse(localID: localID, count: count, failure: failure, progress: progress)
                    spend.release(worstCase)
                    return
                }
                try await backoff(failure, retries: &retries, outage: &outage)
            }
        }
    }

    /// Records every request of a batch the API refused as errored with the API's error body.
    private func refuse(localID: String, count: Int, failure: RequestFailure, progress: Progress) async throws {
        if !options.quiet { stderr("promptline: the API refused a batch of \(count) requests: \(failure)") }
        let body = OutputLine.erroredResult(failure)
        let errorBody = Array(body.dropFirst(#"{"type":"errored","error":"#.utf8.count).dropLast())
        var after = ""
        while true {
            let ids = try await store.batchCustomIDs(localID: localID, after: after, limit: batch.resultsPerTransaction)
            guard let last = ids.last else { break }
            let results = ids.map { BatchResultEntry(customID: $0, outcome: .failed(errorBody: errorBody, errorType: failure.errorType)) }
            let stored = try await store.applyBatchResults(localID: localID, results)
            progress.update {
                $0.answersStored += stored.count
                $0.results["errored", default: 0] += stored.count
            }
            after = last
        }
        try await store.markBatchCollected(localID: localID)
    }

    // MARK: Polling and results

    /// Polls every open batch on its schedule until each has ended and its results are in the store,
    /// or until `until` (the batches left open are collected with the next round's).
    private func collect(
        _ open: [BatchRecord], progress: Progress, spend: SpendMeter, watch: inout DeadlineWatch?, until: Double? = nil
    ) async throws {
        var pending = open
        var schedules: [String: PollSchedule] = [:]
        var lastSeen: [String: BatchesClient.Batch] = [:]
        var lastPrinted: [String: Double] = [:]
        var outage = OutageClock()
        let start = now()
        for record in open { schedules[record.localID] = PollSchedule(interval: batch.pollInterval.seconds, start: start) }
        while !pending.isEmpty {
            if let until, now() >= until { return }
            var wake = until ?? .infinity
            if watch != nil, let planned = try await steer(&watch!, pending: pending, schedules: &schedules) { wake = min(wake, planned) }
            let next = min(pending.compactMap { schedules[$0.localID]?.nextAt }.min() ?? now(), wake)
            let wait = next - now()
            if wait > 0 { try await stopping.sleep(for: .seconds(wait)) }
            var still: [BatchRecord] = []
            for record in pending {
                guard let id = record.batchID, var schedule = schedules[record.localID] else { continue }
                guard schedule.nextAt <= now() else {
                    still.append(record)
                    continue
                }
                try Task.checkCancellation()
                let polledAt = now()
                progress.update { $0.polls += 1 }
                switch await client.retrieve(id, timeout: options.timeout) {
                case .success(let info):
                    outage.succeeded()
                    let changed =
                        lastSeen[record.localID].map {
                            $0.processingStatus != info.processingStatus || $0.requestCounts != info.requestCounts
                        } ?? true
                    lastSeen[record.localID] = info
                    progress.saw(info, localID: record.localID, intentAt: record.intentAt)
                    progress.polled(record.localID)
                    try await store.recordBatchPoll(
                        localID: record.localID, processingStatus: info.processingStatus,
                        counts: String(decoding: try JSONEncoder().encode(info.requestCounts), as: UTF8.self))
                    if changed || polledAt - (lastPrinted[record.localID] ?? 0) >= 30 {
                        lastPrinted[record.localID] = polledAt
                        report(info, age: polledAt - record.intentAt)
                    }
                    if info.processingStatus == "ended" {
                        if try await download(record, id: id, progress: progress, spend: spend) {
                            watch?.ended(record, counts: info.requestCounts, now: now())
                            continue
                        }
                    }
                    schedule.polled(at: now(), changed: changed)
                case .failure(let failure):
                    progress.polled(record.localID)
                    if let reason = JobStopReason(failure) { throw JobStop(reason: reason) }
                    if failure.status == 404 {
                        try await store.markBatchGone(localID: record.localID)
                        progress.update { $0.batchesGone += 1 }
                        if !options.quiet { stderr("promptline: the API does not know batch \(id); its requests go into a new batch") }
                        continue
                    }
                    logger.warning("poll failed", metadata: ["batch.id": "\(id)", "error": "\(failure)"])
                    if failure.isServerFailure || failure.status == 429 {
                        if outage.failed(at: now()) > options.maxOutage.seconds { throw JobStop(reason: .outage(after: options.maxOutage)) }
                    }
                    schedule.failed(at: now())
                }
                schedules[record.localID] = schedule
                still.append(record)
            }
            pending = still
        }
    }

    /// Streams an ended batch's results into the store, a few thousand lines per transaction.
    /// True when the batch is done with (collected, or gone); false to try again at the next poll.
    private func download(_ record: BatchRecord, id: String, progress: Progress, spend: SpendMeter) async throws -> Bool {
        var chunk: [BatchResultEntry] = []
        chunk.reserveCapacity(batch.resultsPerTransaction)
        var unreadable = 0
        func apply() async throws {
            let stored = try await store.applyBatchResults(localID: record.localID, chunk)
            var tally = BatchSummary()
            for entry in chunk {
                switch entry.outcome {
                case .succeeded(_, let model, let tokens):
                    tally.results["succeeded", default: 0] += 1
                    tally.inputTokens += tokens.input
                    tally.outputTokens += tokens.output
                    tally.tokensByModel[model, default: TokenCount()] += tokens
                    spend.settle(reserved: 0, model: model, tokens: tokens)
                case .failed:
                    tally.results["errored", default: 0] += 1
                case .retry(let type):
                    tally.results[type, default: 0] += 1
                }
            }
            progress.update {
                $0.answersStored += stored.count
                $0.inputTokens += tally.inputTokens
                $0.outputTokens += tally.outputTokens
                $0.results.merge(tally.results, uniquingKeysWith: +)
                $0.tokensByModel.merge(tally.tokensByModel) { $0 + $1 }
            }
            chunk.removeAll(keepingCapacity: true)
        }
        let failure = try await client.results(id, timeout: max(options.timeout, batch.resultsTimeout)) { line in
            do {
                chunk.append(try BatchResultParser.parse(line))
            } catch {
                unreadable += 1
                logger.warning("unreadable batch results line", metadata: ["batch.id": "\(id)", "error": "\(error)"])
            }
            if chunk.count >= batch.resultsPerTransaction { try await apply() }
        }
        if let failure {
            if let reason = JobStopReason(failure) { throw JobStop(reason: reason) }
            if failure.status == 404 {
                try await store.markBatchGone(localID: record.localID)
                progress.update { $0.batchesGone += 1 }
                return true
            }
            logger.warning("results download failed; tried again at the next poll", metadata: ["batch.id": "\(id)", "error": "\(failure)"])
            return false
        }
        try await apply()
        try await store.markBatchCollected(localID: record.localID)
        if unreadable > 0 && !options.quiet {
            stderr("promptline: \(unreadable) results lines of batch \(id) were unreadable; their requests go into a new batch")
        }
        return true
    }

    private func report(_ info: BatchesClient.Batch, age: Double) {
        guard !options.quiet, options.progress != .none else { return }
        stderr("promptline: batch \(info.id) \(info.processingStatus): \(info.requestCounts.described); age \(Int(age)) s")
    }

    // MARK: Calls

    /// Runs an API call, retrying transient failures with backoff within `--max-outage`; job-wide
    /// conditions throw ``JobStop``; other failures are returned.
    private func call<Value>(_ body: () async -> Result<Value, RequestFailure>) async throws -> Result<Value, RequestFailure> {
        var outage = OutageClock()
        var retries = 0
        while true {
            try Task.checkCancellation()
            let result = await body()
            guard case .failure(let failure) = result else { return result }
            if let reason = JobStopReason(failure) { throw JobStop(reason: reason) }
            guard failure.status.map(RetryPolicy.isRetryable(status:)) ?? true else { return result }
            try await backoff(failure, retries: &retries, outage: &outage)
        }
    }

    private func backoff(_ failure: RequestFailure, retries: inout Int, outage: inout OutageClock) async throws {
        if outage.failed(at: now()) > options.maxOutage.seconds { throw JobStop(reason: .outage(after: options.maxOutage)) }
        let delay = failure.retryAfter ?? min(30, 0.5 * Double(1 << min(retries, 6)))
        retries += 1
        logger.info("batch API call failed; retrying", metadata: ["error": "\(failure)", "delay": "\(delay)"])
        try await stopping.sleep(for: .seconds(delay))
    }
}

extension BatchRunner {
    /// The phase's counters, shared by its steps.
    final class Progress: Sendable {
        private struct State {
            var summary = BatchSummary()
            var lines: [String: (line: BatchSummary.Line, intentAt: Double)] = [:]
            var order: [String] = []
        }

        private let state = Mutex(State())

        func update(_ body: (inout BatchSummary) -> Void) {
            state.withLock { body(&$0.summary) }
        }

        func saw(_ batch: BatchesClient.Batch, localID: String, intentAt: Double) {
            state.withLock { state in
                if state.lines[localID] == nil { state.order.append(localID) }
                let polls = state.lines[localID]?.line.polls ?? 0
                state.lines[localID] = (
                    BatchSummary.Line(
                        id: batch.id, status: batch.processingStatus, counts: batch.requestCounts, ageSeconds: 0, polls: polls),
                    intentAt
                )
            }
        }

        func polled(_ localID: String) {
            state.withLock { $0.lines[localID]?.line.polls += 1 }
        }

        func summary(now: Double) -> BatchSummary {
            state.withLock { state in
                var summary = state.summary
                summary.batches = state.order.compactMap { id in
                    guard var entry = state.lines[id] else { return nil }
                    entry.line.ageSeconds = max(0, now - entry.intentAt)
                    return entry.line
                }
                return summary
            }
        }
    }
}
