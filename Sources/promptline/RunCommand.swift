import ArgumentParser
import Foundation
import Logging
import Promptline

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a job: one output line per input record, in input order, resumable."
    )

    @Argument(help: "Input JSONL files, gzip or plain (detected by content); - for standard input.")
    var inputs: [String]

    @Option(name: [.short, .long], help: "Final output path; a .gz suffix means gzip. Written beside it, renamed when complete.")
    var output: String

    @Option(help: "Checkpoint store (default $PROMPTLINE_DB, else .promptline/state.db).")
    var db: String?

    @OptionGroup(title: "Records")
    var records: RecordOptions

    @Option(name: .customLong("fallback-model"), help: "A model of the degradation chain, in order (repeatable).")
    var fallbackModels: [String] = []

    @Option(help: "Most requests in flight.")
    var concurrency: Int = 16

    @Option(help: "One attempt's limit in seconds (connect + response).")
    var timeout: Double = 600

    @Option(help: "Retries per model before falling back.")
    var maxRetries: Int = 2

    @Option(help: "Deadline per record across all its attempts and models, seconds.")
    var recordTimeout: Double = 3600

    @Option(help: "How long records wait while every model's breaker is open before the job stops with 75, seconds.")
    var maxOutage: Double = 600

    @Flag(help: "A degradation tier: an earlier stored answer to the same messages under other parameters.")
    var allowStale = false

    @Option(help: "The last degradation tier: this text as the answer (off unless given).")
    var staticResponse: String?

    @Option(help: "Known requests-per-minute limit (otherwise learned from response headers).")
    var rpm: Int?

    @Option(help: "Known input-tokens-per-minute limit.")
    var itpm: Int?

    @Option(help: "Known output-tokens-per-minute limit.")
    var otpm: Int?

    @Flag(help: "Ignore the anthropic-ratelimit-* headers (to measure what they buy); only --rpm/--itpm/--otpm and 429s throttle.")
    var noRateLimitHeaders = false

    @Option(
        help: ArgumentHelp(
            "auto: cache breakpoints on prefixes records share (system prompt, tools, few-shot turns), primed before they are read; off: send records as written.",
            valueName: "auto|off"))
    var promptCache: PromptCacheMode = .auto

    @Option(
        help: ArgumentHelp(
            "When the job must be done: 90m, 6h, 1h30m or an RFC 3339 time. Batches first, the rest through Messages at the latest safe moment; with --backend messages, dispatch stops at the deadline (exit 75).",
            valueName: "DURATION|TIME"))
    var deadline: Deadline?

    @Option(help: "Stop dispatching before the estimated spend of this run passes this many dollars (exit 75).")
    var budgetUsd: Double?

    @Option(help: "JSON file of prices per million tokens, {\"model\": {\"input\": 3, \"output\": 15}}, over the built-in table.")
    var prices: String?

    @Option(help: ArgumentHelp("Only records whose key falls in shard K (0-based) of N, e.g. 0/4.", valueName: "K/N"))
    var shard: Shard?

    @Flag(help: "Read and key everything, report requests to send and estimated tokens and cost; send nothing.")
    var dryRun = false

    @Flag(help: "Skip the cheap health check (key, URL, authentication) made before reading input.")
    var noPreflight = false

    @Option(help: "Seconds requests in flight get to finish after SIGINT/SIGTERM.")
    var gracePeriod: Double = 10

    @OptionGroup(title: "Backend")
    var backend: BackendOptions

    @OptionGroup(title: "Circuit breaker (one per model)")
    var breaker: BreakerOptions

    @Flag(
        help:
            "Each store commit waits for the disk (SQLite synchronous=FULL): committed answers survive a power cut or OS crash, not only a crash of promptline."
    )
    var durable = false

    @Flag(help: "Records that ended errored in an earlier run are tried again.")
    var retryErrored = false

    @Flag(help: "The first invalid input line stops the job (exit 65) instead of being annotated.")
    var strict = false

    @Option(help: "Operator output: auto, plain or none.")
    var progress: ProgressMode = .auto

    @Option(help: ArgumentHelp("Seconds between plain progress lines.", visibility: .hidden))
    var progressInterval: Double = 5

    @Option(help: ArgumentHelp("Seconds to wait for a store locked by another process before exit 74.", visibility: .hidden))
    var busyTimeout: Double = Store.defaultBusyTimeout

    @Option(
        help: ArgumentHelp("Longest wait, seconds, for the request priming a shared prefix before others send anyway.", visibility: .hidden)
    )
    var primeWait: Double = 15

    @Flag(help: "Errors only on standard error.")
    var quiet = false

    @Option(help: "Write the summary as JSON to this path.")
    var summary: String?

    enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
        case auto, plain, none
    }

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard maxRetries >= 0 else { throw ValidationError("--max-retries must be 0 or more") }
        try breaker.validate()
        try backend.validate()
        if backend.resolved(deadline: deadline) == .batches && inputs.contains("-") {
            throw ValidationError("--backend batches reads the input more than once: give files, not - (standard input)")
        }
        try records.validate()
        guard recordTimeout > 0, maxOutage >= 0, gracePeriod >= 0, busyTimeout >= 0 else {
            throw ValidationError("--record-timeout must be positive; --max-outage, --grace-period and --busy-timeout 0 or more")
        }
        if let budgetUsd, budgetUsd <= 0 { throw ValidationError("--budget-usd must be positive") }
        guard !inputs.isEmpty else { throw ValidationError("give at least one input file (or - for standard input)") }
    }

    func run() async throws {
        // Watched from the start, so Ctrl-C during a slow preflight or store opening exits 130/143 cleanly.
        try await SignalWatcher.watching { watcher in try await run(watcher: watcher) }
    }

    private func run(watcher: SignalWatcher) async throws {
        // Past a file-size limit (ulimit -f), a write fails with EFBIG (a clear error, exit 74) instead of killing the process.
        signal(SIGXFSZ, SIG_IGN)
        let api = APIConfiguration.fromEnvironment()
        for path in inputs where path != "-" && !FileManager.default.isReadableFile(atPath: path) {
            printError("promptline: \(path): no such readable file")
            throw ExitCode(.unusableInput)
        }
        let defaults = try records.defaults()
        let priceTable: PriceTable
        do {
            priceTable = try PriceTable.loading(overrides: prices)
        } catch {
            printError("promptline: \(prices ?? ""): not a price table: \(error)")
            throw ExitCode(.usage)
        }
        if budgetUsd != nil {
            // A budget cannot be kept for a model without a price: refuse before anything is sent.
            for model in ([records.model].compactMap { $0 } + fallbackModels) where priceTable.price(for: model) == nil {
                printError(
                    "promptline: --budget-usd: model \(model) has no price (the built-in table is dated \(priceTable.asOf ?? "?")); give it in a --prices file, e.g. {\"\(model)\": {\"input\": 3, \"output\": 15}}"
                )
                throw ExitCode(.usage)
            }
        }
        var options = JobOptions(
            inputs: inputs, output: output,
            defaults: defaults)
        options.fallbackModels = fallbackModels
        options.concurrency = concurrency
        options.timeout = Duration(optionSeconds: timeout)
        options.maxRetries = maxRetries
        options.retryErrored = retryErrored
        options.strict = strict
        options.maxLineBytes = records.maxLineBytes
        options.quiet = quiet
        options.recordTimeout = Duration(optionSeconds: recordTimeout)
        options.maxOutage = Duration(optionSeconds: maxOutage)
        options.allowStale = allowStale
        options.staticResponse = staticResponse
        options.gracePeriod = Duration(optionSeconds: gracePeriod)
        options.breaker = breaker.configuration
        options.breakersEnabled = !breaker.noBreaker
        options.prices = priceTable
        options.requestsPerMinute = rpm
        options.inputTokensPerMinute = itpm
        options.outputTokensPerMinute = otpm
        options.rateLimitHeaders = !noRateLimitHeaders
        options.budgetUSD = budgetUsd
        options.shard = shard
        options.promptCache = promptCache
        options.primeWait = Duration(optionSeconds: primeWait)
        options.deadline = deadline

        if dryRun {
            try await exitingOnError {
                let dryRun = DryRun(options: options, store: try Store(path: resolveDatabase(db), busyTimeout: busyTimeout))
                var report: DryRun.Report
                switch try await watcher.racing({ try await dryRun.run() }) {
                case .success(let value): report = value
                case .failure(let interruption): throw watcher.interrupted(interruption.signal)
                }
                if backend.resolved(deadline: deadline) == .batches {
                    report.batchWorstCaseCost = report.worstCaseCost * options.prices.batchMultiplier
                }
                print(report.text)
                if let summary { try writeJSON(report, to: summary) }
                if !report.faults.isEmpty { throw ExitCode(.unusableInput) }
            }
            return
        }
        guard api.hasCredentials else {
            printError("promptline: ANTHROPIC_API_KEY is not set; export it, or ANTHROPIC_AUTH_TOKEN (never printed or stored)")
            throw ExitCode(.notPermitted)
        }
        switch progress {
        case .none: options.progress = .none
        case .plain: options.progress = .plain(every: Duration(optionSeconds: progressInterval))
        case .auto: options.progress = isatty(STDERR_FILENO) == 1 ? .live : .plain(every: Duration(optionSeconds: progressInterval))
        }

        let logger = makeLogger()
        let result = try await exitingOnError {
            let store = try Store(path: resolveDatabase(db), busyTimeout: busyTimeout)
            if durable { try await store.makeDurable() }
            let client = MessagesClient(
                configuration: api, concurrency: concurrency, connectTimeout: min(options.timeout, .seconds(10)), logger: logger)
            let batches =
                backend.resolved(deadline: deadline) == .batches
                ? BatchesClient(configuration: api, connectTimeout: min(options.timeout, .seconds(10)), logger: logger) : nil
            let result: Result<JobSummary, any Error>
            do {
                result = .success(
                    try await job(
                        options: options, api: api, store: store, client: client, batches: batches,
                        watcher: watcher, logger: logger))
            } catch {
                result = .failure(error)
            }
            // Shut down once, however the job ended.
            await client.shutdown()
            await batches?.shutdown()
            return try result.get()
        }
        let status = result.exitCode
        if !quiet || status != .success { printError(result.humanDescription) }
        if status.isResumable {
            printError("promptline: to resume, run: " + CommandLine.arguments.map(shellQuoted).joined(separator: " "))
        }
        if let summary { try await exitingOnError { try writeJSON(result, to: summary) } }
        if status != .success { throw ExitCode(status) }
    }

    /// The preflight, then the job through the chosen backend.
    private func job(
        options: JobOptions, api: APIConfiguration, store: Store, client: MessagesClient, batches: BatchesClient?,
        watcher: SignalWatcher, logger: Logger
    ) async throws -> JobSummary {
        if let signal = watcher.received { throw watcher.interrupted(signal) }
        if !noPreflight {
            let doctor = Doctor(configuration: api, client: client)
            let preflightTimeout = min(options.timeout, .seconds(15))
            let health: Doctor.Report
            switch try await watcher.racing({ await doctor.check(models: [], timeout: preflightTimeout) }) {
            case .success(let report): health = report
            case .failure(let interruption): throw watcher.interrupted(interruption.signal)
            }
            if health.exitCode != .success {
                printError("promptline: preflight failed (nothing was read or sent):")
                printError(health.text)
                throw ExitCode(health.exitCode)
            }
        }
        let jobBackend: JobBackend = batches.map { .batches($0, backend.batchOptions) } ?? .messages
        return try await JobRunner(options: options, backend: jobBackend, store: store, client: client, logger: logger)
            .run(interrupts: watcher.signals)
    }
}

extension SignalWatcher {
    /// Reports a stop request that came before the job started reading, and the exit code to leave with.
    func interrupted(_ signal: Int32) -> ExitCode {
        printError("promptline: interrupted by \(signal == SIGTERM ? "SIGTERM" : "SIGINT"); nothing was sent")
        return ExitCode(ExitStatus.stopped(by: signal))
    }
}
