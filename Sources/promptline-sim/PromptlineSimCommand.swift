import ArgumentParser
import Foundation
import Logging
import PromptlineSim

/// `promptline-sim`: serve the simulated Messages API until SIGINT/SIGTERM.
@main
struct PromptlineSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promptline-sim",
        abstract: "A local simulator of the Claude Messages API."
    )

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free port (printed on start).")
    var port = 0

    @Option(name: .customLong("api-key"), help: "Reject requests whose x-api-key differs (401).")
    var apiKey: String?

    @Option(name: .customLong("latency-ms"), help: "Fixed latency added to every message request.")
    var latencyMs = 0

    @Option(help: "Scenario JSON file (faults, outages, rate limits).")
    var scenario: String?

    @Option(help: "Seed of the random source for fault draws.")
    var seed: UInt64 = 0

    @Option(name: .customLong("error-rate"), help: "KIND=P, e.g. 529=0.1 (repeatable).")
    var errorRates: [String] = []

    @Option(help: "Requests per minute limit.")
    var rpm: Int?

    @Option(help: "Input tokens per minute limit.")
    var itpm: Int?

    @Option(help: "Output tokens per minute limit.")
    var otpm: Int?

    @Option(help: "Extra model id to accept and list (repeatable).")
    var model: [String] = []

    @Option(name: .customLong("batch-processing-ms"), help: "Milliseconds from a batch's creation to its end (default 500).")
    var batchProcessingMs: Int?

    @Option(name: .customLong("batch-cancel-ms"), help: "Milliseconds from a batch cancel to the batch's end (default 500).")
    var batchCancelMs: Int?

    @Option(name: .customLong("batch-stall-first"), help: "The first N batches never move until canceled.")
    var batchStallFirst: Int?

    @Option(name: .customLong("log-level"), help: "Log level on stderr (trace, debug, info, notice, warning, error).")
    var logLevel = "warning"

    func makeConfiguration() throws -> SimConfiguration {
        var scenario = SimScenario()
        if let path = self.scenario {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw ValidationError("cannot read scenario \(path): \(error.localizedDescription)")
            }
            do {
                scenario = try SimScenario.decode(data)
            } catch {
                throw ValidationError("invalid scenario \(path): \(error)")
            }
        }
        for entry in self.errorRates {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, SimFault(rawValue: parts[0]) != nil, let probability = Double(parts[1]),
                (0...1).contains(probability)
            else {
                throw ValidationError("--error-rate expects KIND=P with a known kind and 0<=P<=1, got \(entry)")
            }
            scenario.errorRates = (scenario.errorRates ?? [:]).merging([parts[0]: probability]) { _, new in new }
        }
        if self.rpm != nil || self.itpm != nil || self.otpm != nil {
            var limits = scenario.rateLimits ?? RateLimits()
            limits.requestsPerMinute = self.rpm ?? limits.requestsPerMinute
            limits.inputTokensPerMinute = self.itpm ?? limits.inputTokensPerMinute
            limits.outputTokensPerMinute = self.otpm ?? limits.outputTokensPerMinute
            scenario.rateLimits = limits
        }
        if self.batchProcessingMs != nil || self.batchCancelMs != nil || self.batchStallFirst != nil {
            var batches = scenario.batches ?? SimBatchScenario()
            batches.processingMs = self.batchProcessingMs ?? batches.processingMs
            batches.cancelMs = self.batchCancelMs ?? batches.cancelMs
            batches.stallFirst = self.batchStallFirst ?? batches.stallFirst
            scenario.batches = batches
        }
        if !self.model.isEmpty {
            scenario.models = (scenario.models ?? []) + self.model
        }
        return SimConfiguration(
            host: self.host,
            port: self.port,
            apiKey: self.apiKey,
            latencyMs: self.latencyMs,
            seed: self.seed,
            scenario: scenario
        )
    }

    func run() async throws {
        let configuration = try self.makeConfiguration()
        var logger = Logger(label: "promptline-sim") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: self.logLevel) ?? .warning
        let host = configuration.host
        try await SimServer(configuration: configuration, logger: logger).run { port in
            // Unbuffered, so a parent process reading the pipe sees the line at once.
            FileHandle.standardOutput.write(Data((SimServer.listeningLine(host: host, port: port) + "\n").utf8))
        }
    }
}
