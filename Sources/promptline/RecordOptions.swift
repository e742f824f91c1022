import ArgumentParser
import Promptline

/// How input records are read and what fills what they leave out: shared by `run` and `export`,
/// which must read the input the same way to find the same keys.
struct RecordOptions: ParsableArguments {
    @Option(help: "Model for records that do not name one.")
    var model: String?

    @Option(help: "max_tokens for records that do not set it.")
    var maxTokens: Int = 1024

    @Option(help: "System prompt for records that do not set one.")
    var system: String?

    @Option(help: "Temperature for records that do not set one.")
    var temperature: Double?

    @Option(help: "Longest input line accepted, in bytes (default 32 MiB, the Messages API's request limit).")
    var maxLineBytes: Int = JobOptions.defaultMaxLineBytes

    func validate() throws {
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
        guard maxLineBytes >= 16 else { throw ValidationError("--max-line-bytes must be at least 16") }
    }

    var defaults: RecordDefaults {
        RecordDefaults(model: model, maxTokens: maxTokens, system: system, temperature: temperature)
    }
}
