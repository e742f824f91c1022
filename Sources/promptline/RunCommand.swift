import ArgumentParser
import Foundation
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

    @Option(help: "Model for records that do not name one.")
    var model: String?

    @Option(name: .customLong("fallback-model"), help: "A model of the degradation chain, in order (repeatable).")
    var fallbackModels: [String] = []

    @Option(help: "max_tokens for records that do not set it.")
    var maxTokens: Int = 1024

    @Option(help: "System prompt for records that do not set one.")
    var system: String?

    @Option(help: "Temperature for records that do not set one.")
    var temperature: Double?

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

    @Option(help: "Seconds requests in flight get to finish after SIGINT/SIGTERM.")
    var gracePeriod: Double = 10

    @OptionGroup(title: "Circuit breaker (one per model)")
    var breaker: BreakerOptions

    @Flag(help: "Records that ended errored in an earlier run are tried again.")
    var retryErrored = false

    @Flag(help: "The first invalid input line stops the job (exit 65) instead of being annotated.")
    var strict = false

    @Option(help: "Longest input line accepted, in bytes.")
    var maxLineBytes: Int = 16 << 20

    @Option(help: "Operator output: auto, plain or none.")
    var progress: ProgressMode = .auto

    @Flag(help: "Errors only on standard error.")
    var quiet = false

    @Option(help: "Write the summary as JSON to this path.")
    var summary: String?

    enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
        case auto, plain, none
    }

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard maxRetries >= 0 else { throw ValidationError("--max-retries must be 0 or more") }
        try breaker.validate()
        guard recordTimeout > 0, maxOutage >= 0, gracePeriod >= 0 else {
            throw ValidationError("--record-timeout must be positive; --max-outage and --grace-period 0 or more")
        }
        guard maxLineBytes >= 16 else { throw ValidationError("--max-line-bytes must be at least 16") }
        guard !inputs.isEmpty else { throw ValidationError("give at least one input file (or - for standard input)") }
    }

    func run() async throws {
        let api = APIConfiguration.fromEnvironment()
        guard api.apiKey != nil else {
            printError("promptline: ANTHROPIC_API_KEY is not set; export it (the key is never printed or stored)")
            throw ExitCode(77)
        }
        for path in inputs where path != "-" && !FileManager.default.isReadableFile(atPath: path) {
            printError("promptline: \(path): no such readable file")
            throw ExitCode(65)
        }
        var options = JobOptions(
            inputs: inputs, output: output,
            defaults: RecordDefaults(model: model, maxTokens: maxTokens, system: system, temperature: temperature))
        options.fallbackModels = fallbackModels
        options.concurrency = concurrency
        options.timeout = timeout
        options.maxRetries = maxRetries
        options.retryErrored = retryErrored
        options.strict = strict
        options.maxLineBytes = maxLineBytes
        options.quiet = quiet
        options.recordTimeout = recordTimeout
        options.maxOutage = maxOutage
        options.allowStale = allowStale
        options.staticResponse = staticResponse
        options.gracePeriod = gracePeriod
        options.breaker = breaker.configuration
        options.breakersEnabled = !breaker.noBreaker
        options.progressInterval = progress == .none ? nil : 5

        let logger = makeLogger()
        let result: JobSummary
        do {
            let store = try Store(path: resolveDatabase(db))
            let client = MessagesClient(configuration: api, concurrency: concurrency, connectTimeout: min(timeout, 10), logger: logger)
            do {
                let watcher = SignalWatcher()
                result = try await JobRunner(options: options, store: store, client: client, logger: logger)
                    .run(interrupts: watcher.signals)
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        } catch {
            printError("promptline: \(error)")
            throw ExitCode(74)
        }
        if !quiet || result.exitCode != 0 { printError(result.humanDescription) }
        if [75, 130, 143].contains(result.exitCode) {
            printError("promptline: to resume, run: " + CommandLine.arguments.map(shellQuoted).joined(separator: " "))
        }
        if let summary {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try encoder.encode(result).write(to: URL(fileURLWithPath: summary))
        }
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}
