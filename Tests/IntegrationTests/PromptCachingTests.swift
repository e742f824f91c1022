import Foundation
import Testing

@testable import Promptline
@testable import PromptlineSim

/// `--prompt-cache auto` against promptline-sim, which caches as the API documents (SPEC §6, §9).
@Suite(.timeLimit(.minutes(3)), .reportsFailures) struct PromptCachingTests {
    static let model = "claude-sonnet-4-5"
    /// A system prompt of about 6,000 tokens, a plain string with no `cache_control`, as users write it.
    static let system = String(repeating: "Label the ticket by topic (billing, access, bug, other) and urgency. ", count: 350)

    /// Records sharing the system prompt (given by `--system`), each with its own short question.
    static func input(_ count: Int, to path: String) throws {
        try Fixtures.write((0..<count).map { #"{"id":"t\#($0)","prompt":"Ticket \#($0): I cannot log in since Tuesday."}"# }, to: path)
    }

    struct Usage {
        var written = 0
        var read = 0
        var writers = 0
        var readers = 0
    }

    /// Cache tokens over an output file's answers.
    static func usage(_ path: String) throws -> Usage {
        var usage = Usage()
        for line in try Fixtures.lines(path) {
            let result = Fixtures.json(line)["result"] as? [String: Any]
            let counts = (result?["message"] as? [String: Any])?["usage"] as? [String: Any] ?? [:]
            let written = counts["cache_creation_input_tokens"] as? Int ?? 0
            let read = counts["cache_read_input_tokens"] as? Int ?? 0
            usage.written += written
            usage.read += read
            if written > 0 { usage.writers += 1 }
            if read > 0 { usage.readers += 1 }
        }
        return usage
    }

    static func keys(_ path: String) throws -> [String] {
        try Fixtures.lines(path).map { Fixtures.json($0)["key"] as? String ?? "" }
    }

    @Test func aSharedSystemPromptIsWrittenOnceAndReadByTheOtherRecords() async throws {
        let sim = try await Simulator(["--latency-ms", "20"])
        let dir = Fixtures.directory()
        try Self.input(80, to: dir + "/in.jsonl")
        // A loaded machine must not turn a slow primer into a stampede of writes: the wait is long here.
        let common = ["--model", Self.model, "--system", Self.system, "--concurrency", "16", "--progress", "none", "--prime-wait", "300"]
        let run = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--summary", dir + "/s.json"] + common,
            environment: sim.environment)
        #expect(run.status == 0, "\(run.stderr.suffix(1500))")
        let usage = try Self.usage(dir + "/out.jsonl")
        // The first record goes as written (the prefix has not recurred yet), the second primes, the rest read.
        #expect(usage.writers == 1, "requests sent together before the primer's answer all wrote")
        #expect(usage.readers >= 78)

        // The key is the request as the user wrote it: a run without caching finds every answer in the same store.
        let off = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/off.jsonl", "--db", dir + "/s.db", "--prompt-cache", "off"] + common,
            environment: sim.environment)
        #expect(off.status == 0)
        #expect(try Self.keys(dir + "/off.jsonl") == Self.keys(dir + "/out.jsonl"))
        #expect(try await sim.stats().requests == 80, "a job without caching sent again what the cached job answered")

        // The summary's cost is the simulator's bill, priced from the same usage.
        let summary = try JSONDecoder().decode(JobSummary.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/s.json")))
        let bill = try await sim.billedCost(prices: .builtIn)
        #expect(abs(summary.costUSD - bill) <= 0.02 * bill, "summary $\(summary.costUSD), bill $\(bill)")
        #expect((summary.cacheSavedUSD ?? 0) > 0)
        #expect(run.stderr.contains("prompt cache:"))
    }

    @Test func withCachingOffNothingIsMarked() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Self.input(10, to: dir + "/in.jsonl")
        let run = try await promptline(
            [
                "run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", Self.model, "--system", Self.system,
                "--prompt-cache", "off", "--progress", "none",
            ],
            environment: sim.environment)
        #expect(run.status == 0)
        let usage = try Self.usage(dir + "/out.jsonl")
        #expect(usage.written == 0 && usage.read == 0)
    }

    @Test func batchesPrimeThePrefixInABatchOfItsOwnBeforeTheBatchThatReadsIt() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":100}}"#)
        let dir = Fixtures.directory()
        try Self.input(40, to: dir + "/in.jsonl")
        let run = try await promptline(
            [
                "run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", Self.model, "--system", Self.system,
                "--backend", "batches", "--poll-interval", "0.2", "--progress", "none", "--summary", dir + "/s.json",
            ],
            environment: sim.environment)
        #expect(run.status == 0, "\(run.stderr.suffix(1500))")
        let batches = try await sim.batchStats()
        #expect(batches.requestsByBatch.values.sorted() == [1, 39], "the priming batch and the batch that reads it")
        let usage = try Self.usage(dir + "/out.jsonl")
        #expect(usage.writers == 1)
        #expect(usage.readers == 38)
        let summary = try JSONDecoder().decode(JobSummary.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/s.json")))
        #expect(summary.batches?.primingBatches == 1)
        let bill = try await sim.billedCost(prices: .builtIn)
        #expect(abs(summary.costUSD - bill) <= 0.02 * bill, "summary $\(summary.costUSD), bill $\(bill)")
    }
}
