import Foundation
import Logging
import PromptlineJSON
import Synchronization
import Testing

@testable import Promptline

/// RequestRunner on a scripted transport, a manual clock and a real store in a temporary directory:
/// the degradation chain, wait-not-burn, request faults, job-wide stops, poison records and lease
/// renewal, each in milliseconds without a network.
@Suite("RequestRunner")
struct RequestRunnerTests {
    static let primary = "claude-test-primary"
    static let fallback = "claude-test-fallback"

    /// One runner and everything it works with, on one test time. The adaptive throttle's draw is
    /// fixed: 0.999 sends unless nearly every answer in its window failed, so the chain tests see
    /// every retry; a lower draw makes it hold attempts back sooner.
    struct Harness {
        let time = TestTime()
        let transport: ScriptedTransport
        let store: Store
        let storePath: String
        let counters = JobCounters()
        let health: ModelHealth
        let runner: RequestRunner

        init(
            leaseSeconds: Double = 900, breakersEnabled: Bool = true, throttleDraw: Double = 0.999,
            poisonFailure: RequestFailure = ScriptedTransport.serverError(),
            configure: (inout JobOptions) -> Void = { _ in },
            onSend: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
        ) throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("promptline-rr-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            storePath = directory.appendingPathComponent("store.sqlite").path
            let time = self.time
            transport = ScriptedTransport(time: time, poisonFailure: poisonFailure, onSend: onSend)
            store = try Store(path: storePath, leaseSeconds: leaseSeconds, wallClock: time.wallClock)
            var options = JobOptions(inputs: [], output: directory.appendingPathComponent("out.jsonl").path, defaults: RecordDefaults())
            options.maxRetries = 2
            options.recordTimeout = .seconds(3600)
            options.maxOutage = .seconds(3600)
            configure(&options)
            let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            health = ModelHealth(
                configuration: options.breaker, breakersEnabled: breakersEnabled, budget: RetryBudget(), logger: logger,
                clock: time.clock, random: { throttleDraw })
            let throttle = Throttle(
                requestsPerMinute: nil, inputTokensPerMinute: nil, outputTokensPerMinute: nil, maximumConcurrency: 4,
                headerAware: true, clock: time.clock)
            runner = RequestRunner(
                client: transport, store: store, options: options, counters: counters, health: health,
                spend: SpendMeter(budget: nil, prices: PriceTable.builtIn), throttle: throttle,
                promptCache: PromptCache(mode: options.promptCache, clock: time.clock),
                clock: time.clock, logger: logger, random: { 0.5 })
        }

        /// A record for `model`; `text` makes its messages (the stale tier matches on them), `maxTokens` its parameters.
        func record(_ text: String = "hello", model: String = RequestRunnerTests.primary, maxTokens: Int = 16) -> RequestRecord {
            let params = JSONValue.object([
                "model": .string(model), "max_tokens": .number(Double(maxTokens)),
                "messages": .array([.object(["role": .string("user"), "content": .string(text)])]),
            ])
            return RequestRecord(
                customID: text, key: RequestKey(body: params), model: model, params: params,
                body: Canonicalizer.canonicalBytes(params), file: "test.jsonl", line: 1)
        }
    }

    static func failures(_ count: Int, _ failure: RequestFailure) -> [ScriptedTransport.Step] {
        Array(repeating: .failure(failure), count: count)
    }

    // MARK: The degradation chain

    @Test func aHealthyPrimaryServesTheRecordInOneAttempt() async throws {
        let harness = try Harness { $0.fallbackModels = [Self.fallback] }
        let answer = try await harness.runner.run(harness.record())
        #expect(answer.state == .succeeded)
        #expect(answer.tier == .primary)
        #expect(answer.model == Self.primary)
        #expect(answer.attempts == 1)
        #expect(harness.transport.models == [Self.primary])
    }

    @Test func theFallbackServesOnceThePrimarysRetriesAreSpent() async throws {
        let harness = try Harness { $0.fallbackModels = [Self.fallback] }
        harness.transport.otherwise(Self.primary, .failure(ScriptedTransport.serverError()))
        let answer = try await harness.runner.run(harness.record())
        #expect(answer.tier == .fallback)
        #expect(answer.model == Self.fallback)
        // The first attempt and --max-retries 2 on the primary, then the fallback.
        #expect(harness.transport.models == [Self.primary, Self.primary, Self.primary, Self.fallback])
        #expect(answer.attempts == 4)
    }

    @Test func aModelTheAdaptiveThrottleHoldsBackSendsTheRecordDownTheChainEarly() async throws {
        // A draw of 0.5: the primary answered other records 14 failures and then 4 successes, so after this
        // record's two failures the window holds 20 answers with 4 accepted and refuses (20 − 2·4) / 21 of
        // attempts (the breaker stays closed: a run of 2): the primary's third attempt is held back locally,
        // and the record goes to the fallback without sending it.
        let harness = try Harness(throttleDraw: 0.5) { $0.fallbackModels = [Self.fallback] }
        for _ in 0..<14 { harness.health.record(Self.primary, failure: ScriptedTransport.serverError()) }
        for _ in 0..<4 { harness.health.record(Self.primary, failure: nil) }
        harness.transport.otherwise(Self.primary, .failure(ScriptedTransport.serverError()))
        let answer = try await harness.runner.run(harness.record())
        #expect(answer.tier == .fallback)
        #expect(harness.transport.models == [Self.primary, Self.primary, Self.fallback])
        #expect(harness.health.throttledSends == 1)
    }

    @Test func aStaleAnswerServesWhenEveryModelFailsAndStaleIsAllowed() async throws {
        let harness = try Harness {
            $0.fallbackModels = [Self.fallback]
            $0.allowStale = true
            $0.staticResponse = "static text"
        }
        // The same messages under other parameters, answered earlier.
        let earlier = try await harness.runner.run(harness.record("same messages", maxTokens: 99))
        #expect(earlier.tier == .primary)
        harness.transport.otherwise(Self.primary, .failure(ScriptedTransport.serverError()))
        harness.transport.otherwise(Self.fallback, .failure(ScriptedTransport.serverError()))
        let before = harness.transport.sent.count
        let answer = try await harness.runner.run(harness.record("same messages", maxTokens: 16))
        #expect(answer.state == .degraded)
        #expect(answer.tier == .stale)
        #expect(answer.model == Self.primary)
        #expect(answer.result == earlier.result)
        // Stale comes only after the whole chain: primary, then fallback, each with its retries.
        #expect(
            Array(harness.transport.models.dropFirst(before)) == [
                Self.primary, Self.primary, Self.primary, Self.fallback, Self.fallback, Self.fallback,
            ])
    }

    @Test func theStaticResponseServesLastWhenNoStaleAnswerExists() async throws {
        let harness = try Harness {
            $0.fallbackModels = [Self.fallback]
            $0.allowStale = true
            $0.staticResponse = "static text"
        }
        harness.transport.otherwise(Self.primary, .failure(ScriptedTransport.serverError()))
        harness.transport.otherwise(Self.fallback, .failure(ScriptedTransport.serverError()))
        let answer = try await harness.runner.run(harness.record())
        #expect(answer.state == .degraded)
        #expect(answer.tier == .static)
        #expect(answer.model == nil)
        #expect(String(decoding: answer.result, as: UTF8.self).contains("static text"))
        #expect(harness.transport.models == [Self.primary, Self.primary, Self.primary, Self.fallback, Self.fallback, Self.fallback])
    }

    // MARK: Wait, do not burn

    @Test func transientFailuresWithNoFallbackMakeTheRecordWaitUntilTheModelRecovers() async throws {
        let harness = try Harness()
        // Far more overloads than --max-retries: the breaker opens, the retry rounds run out, and the record waits.
        harness.transport.script(Self.primary, Self.failures(25, ScriptedTransport.overloaded()))
        let answer = try await harness.runner.run(harness.record())
        #expect(answer.state == .succeeded)
        #expect(answer.tier == .primary)
        #expect(answer.attempts == 26)
        #expect(harness.health.trips >= 1)
        #expect(harness.counters.values.waiting == 0)
        let stored = try await harness.store.answers(for: [harness.record().key])
        #expect(stored.values.first?.state == .succeeded)
    }

    /// Issue 21: under a brown-out a record's wait is its model's, not a schedule of its own failures: five
    /// failures in a row (retries, then a new round) are each followed by the same short requeue delay.
    @Test func anUnluckyRecordUnderABrownOutWaitsTheSameShortDelayAfterEveryFailure() async throws {
        let harness = try Harness()
        for index in 0..<99 { harness.health.record(Self.primary, failure: index % 3 == 0 ? ScriptedTransport.overloaded() : nil) }
        harness.transport.script(Self.primary, Self.failures(5, ScriptedTransport.overloaded()))
        let answer = try await harness.runner.run(harness.record())
        #expect(answer.state == .succeeded)
        #expect(answer.attempts == 6)
        let times = harness.transport.sent.map(\.at)
        // 100 ms × (0.5 + the draw of 0.999) = 149.9 ms, each time.
        #expect(zip(times, times.dropFirst()).map { (($1 - $0) * 10_000).rounded() } == Array(repeating: 1499, count: 5))
    }

    /// A model failing for everyone (here with no breaker to open) is not retried: the record goes down the chain at once.
    @Test func aRecordOnAModelFailingForEveryoneGoesDownTheChainAtOnce() async throws {
        let harness = try Harness(breakersEnabled: false) { $0.fallbackModels = [Self.fallback] }
        for _ in 0..<100 { harness.health.record(Self.primary, failure: nil) }
        for _ in 0..<4 { harness.health.record(Self.primary, failure: ScriptedTransport.overloaded()) }
        harness.transport.otherwise(Self.primary, .failure(ScriptedTransport.overloaded()))
        let answer = try await harness.runner.run(harness.record())
        #expect(answer.tier == .fallback)
        #expect(harness.transport.models == [Self.primary, Self.fallback])
    }

    @Test func aRecordThatNeverFindsAModelEndsErroredOnlyAtItsDeadline() async throws {
        let harness = try Harness { $0.recordTimeout = .seconds(300) }
        harness.transport.otherwise(Self.primary, .failure(ScriptedTransport.overloaded()))
        let answer = try await harness.runner.run(harness.record())
        #expect(answer.state == .errored)
        #expect(answer.errorType == "overloaded_error")
        #expect(harness.time.now() >= 300)
        #expect(answer.attempts > 3)
    }

    @Test func noSuccessFromAnyModelForMaxOutageStopsTheJob() async throws {
        let harness = try Harness {
            $0.recordTimeout = .seconds(3600)
            $0.maxOutage = .seconds(120)
        }
        harness.transport.otherwise(Self.primary, .failure(ScriptedTransport.overloaded()))
        let stop = await Self.jobStop { try await harness.runner.run(harness.record()) }
        #expect(stop?.reason == .outage(after: .seconds(120)))
    }

    // MARK: The request's own faults and missing models

    @Test func aBadRequestEndsErroredAfterOneAttemptWithoutTryingTheFallback() async throws {
        let harness = try Harness { $0.fallbackModels = [Self.fallback] }
        harness.transport.script(Self.primary, [.failure(ScriptedTransport.badRequest())])
        let answer = try await harness.runner.run(harness.record())
        #expect(answer.state == .errored)
        #expect(answer.tier == ServedTier.none)
        #expect(answer.errorType == "invalid_request_error")
        #expect(answer.attempts == 1)
        #expect(harness.transport.models == [Self.primary])
    }

    @Test func aMissingModelSendsTheRecordDownTheChainAndIsNeverAskedAgain() async throws {
        let harness = try Harness { $0.fallbackModels = [Self.fallback] }
        harness.transport.otherwise(Self.primary, .failure(ScriptedTransport.modelNotFound(Self.primary)))
        let first = try await harness.runner.run(harness.record("one"))
        #expect(first.tier == .fallback)
        #expect(first.model == Self.fallback)
        #expect(harness.transport.models == [Self.primary, Self.fallback])
        let second = try await harness.runner.run(harness.record("two"))
        #expect(second.tier == .fallback)
        #expect(harness.transport.models == [Self.primary, Self.fallback, Self.fallback])
    }

    @Test func aMissingModelWithNoFallbackEndsTheRecordErroredAtOnce() async throws {
        let harness = try Harness()
        harness.transport.otherwise(Self.primary, .failure(ScriptedTransport.modelNotFound(Self.primary)))
        let answer = try await harness.runner.run(harness.record())
        #expect(answer.state == .errored)
        #expect(answer.errorType == "not_found_error")
        #expect(harness.transport.models == [Self.primary])
    }

    // MARK: Job-wide stops

    /// The runner's stop gate reaches the throttle: a record queued for a request slot ends at once
    /// when the job stops, and sends nothing.
    @Test(.timeLimit(.minutes(1))) func aStopEndsARecordsWaitForARequestSlot() async throws {
        let harness = try Harness()
        let throttle = harness.runner.throttle
        var held: [Throttle.Permit] = []
        for _ in 0..<4 { held.append(try await throttle.acquire(model: Self.primary, bodyBytes: 10, maxTokens: 1)) }
        let record = harness.record()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await #expect(throws: CancellationError.self) { _ = try await harness.runner.run(record) }
            }
            while throttle.waiting < 1 { await Task.yield() }
            harness.runner.stopGate.stop()
            try await group.waitForAll()
        }
        #expect(harness.transport.sent.isEmpty)
        for permit in held { throttle.cancelled(permit) }
        #expect(throttle.inFlight == 0)
    }

    @Test func aRejectedKeyStopsTheJobForAuthenticationAndLeavesTheRecordUnanswered() async throws {
        let harness = try Harness { $0.fallbackModels = [Self.fallback] }
        harness.transport.script(Self.primary, [.failure(ScriptedTransport.unauthorized())])
        let record = harness.record()
        let stop = await Self.jobStop { try await harness.runner.run(record) }
        #expect(stop?.reason == .authentication("invalid x-api-key"))
        #expect(stop?.reason.exitCode == 77)
        #expect(harness.runner.stopGate.isStopped)
        #expect(harness.transport.models == [Self.primary])
        #expect(try await harness.store.answers(for: [record.key]).isEmpty)
    }

    @Test func aBillingRefusalStopsTheJobWithoutTryingTheFallback() async throws {
        let harness = try Harness { $0.fallbackModels = [Self.fallback] }
        harness.transport.script(Self.primary, [.failure(ScriptedTransport.billing())])
        let stop = await Self.jobStop { try await harness.runner.run(harness.record()) }
        #expect(stop?.reason == .billing("payment method declined"))
        #expect(stop?.reason.exitCode == 75)
        #expect(harness.transport.models == [Self.primary])
    }

    // MARK: Poison records

    @Test func aRecordThatKeepsFailingWhileItsModelServesOthersEndsErroredAsPoison() async throws {
        let harness = try Harness(breakersEnabled: false, poisonFailure: ScriptedTransport.serverError(retryAfter: 0.01)) {
            $0.maxRetries = 50
        }
        for index in 0..<40 {
            #expect(try await harness.runner.run(harness.record("healthy \(index)")).state == .succeeded)
        }
        let poison = try await harness.runner.run(harness.record("POISON"))
        #expect(poison.state == .errored)
        #expect(poison.errorType == "api_error")
        #expect(poison.attempts == harness.health.poisonMinimumFailures)
        #expect(harness.counters.values.poisonRecords == 1)
        // The model goes on serving the others.
        #expect(try await harness.runner.run(harness.record("after")).state == .succeeded)
    }

    // MARK: Leases

    @Test func aRecordRetriedForLongerThanItsLeaseKeepsItsLease() async throws {
        let verdict = Mutex<ClaimOutcome?>(nil)
        let holder = Mutex<(Store, RequestKey)?>(nil)
        let checkedAt = Mutex<Double?>(nil)
        let time = Mutex<TestTime?>(nil)
        let harness = try Harness(
            leaseSeconds: 30,
            onSend: { _, _ in
                // Once the first lease (30 s) is long past, another process tries to take the key over.
                guard let now = time.withLock({ $0 })?.now(), now > 75, checkedAt.withLock({ $0 }) == nil,
                    let other = holder.withLock({ $0 })
                else { return }
                checkedAt.withLock { $0 = now }
                let outcome = try? await other.0.claim(other.1, model: Self.primary, messagesKey: "m", retryErrored: false)
                verdict.withLock { $0 = outcome }
            })
        time.withLock { $0 = harness.time }
        let record = harness.record()
        // Another process on the same store file (its own owner id).
        let other = try Store(path: harness.storePath, leaseSeconds: 30, wallClock: harness.time.wallClock)
        holder.withLock { $0 = (other, record.key) }
        harness.transport.script(Self.primary, Self.failures(30, ScriptedTransport.overloaded()))
        let answer = try await harness.runner.run(record)
        #expect(answer.state == .succeeded)
        #expect(checkedAt.withLock { $0 } != nil, "the retries did not last past the lease")
        guard case .leased? = verdict.withLock({ $0 }) else {
            Issue.record("another process could take over the key: \(String(describing: verdict.withLock { $0 }))")
            return
        }
    }

    // MARK: Cancellation

    @Test func aCancelledRecordThrowsCancellationAndLeavesNoAnswer() async throws {
        let harness = try Harness(onSend: { _, count in
            // A job stopping (SIGINT) cancels its records: here the record's own task, while its
            // fifth attempt is in flight (the hook runs on that task).
            if count == 5 { withUnsafeCurrentTask { $0?.cancel() } }
        })
        harness.transport.otherwise(Self.primary, .failure(ScriptedTransport.overloaded()))
        let record = harness.record()
        let runner = harness.runner
        await #expect(throws: CancellationError.self) { try await Task { try await runner.run(record) }.value }
        #expect(harness.transport.sent.count == 5)
        #expect(try await harness.store.answers(for: [record.key]).isEmpty)
        #expect(harness.counters.values.waiting == 0)
    }

    /// The JobStop `body` throws, or nil.
    static func jobStop(_ body: () async throws -> StoredAnswer) async -> JobStop? {
        do {
            _ = try await body()
            return nil
        } catch let stop as JobStop {
            return stop
        } catch {
            Issue.record("unexpected error: \(error)")
            return nil
        }
    }
}
