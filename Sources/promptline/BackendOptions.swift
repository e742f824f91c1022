import ArgumentParser
import Promptline

/// `--backend messages|batches` and the Message Batches backend's tuning (SPEC §8).
struct BackendOptions: ParsableArguments {
    enum Backend: String, ExpressibleByArgument, CaseIterable {
        case messages, batches
    }

    @Option(
        help:
            "messages: one Messages API request per record; batches: the Message Batches API at half the price (default: messages, or batches with --deadline)."
    )
    var backend: Backend?

    @Option(name: .customLong("batch-size"), help: "With --backend batches: most requests per batch (1-100000; 256 MB at most).")
    var batchSize = 100_000

    @Option(
        name: .customLong("poll-interval"),
        help: "With --backend batches: seconds between polls of a batch (fractions allowed), with backoff.")
    var pollInterval = 60.0

    func validate() throws {
        guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 100000") }
        guard pollInterval > 0 else { throw ValidationError("--poll-interval must be positive") }
    }

    /// The backend given, else the default: batches first for a job with a deadline, Messages otherwise.
    func resolved(deadline: Deadline?) -> Backend {
        backend ?? (deadline == nil ? .messages : .batches)
    }

    var batchOptions: BatchOptions {
        var options = BatchOptions()
        options.batchSize = batchSize
        options.pollInterval = Duration(optionSeconds: pollInterval)
        return options
    }
}
