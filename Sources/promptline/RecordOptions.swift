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

    @Option(
        help: ArgumentHelp(
            "A JSON Schema for every record's answer, sent as output_config.format to records that set none; output lines gain parsed.",
            valueName: "FILE"))
    var outputSchema: String?

    @Option(help: "With a JSON answer cut at max_tokens: ask again with max_tokens doubled, up to N (default 16384).")
    var maxTokensCap: Int = RecordDefaults.defaultMaxTokensCap

    func validate() throws {
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
        guard maxTokensCap >= 1 else { throw ValidationError("--max-tokens-cap must be at least 1") }
        guard maxLineBytes >= 16 else { throw ValidationError("--max-line-bytes must be at least 16") }
    }

    /// The defaults, with `--output-schema` read and checked; a schema that cannot be used prints
    /// one line naming the file and exits 64 (a bad option value), before anything is sent.
    func defaults() throws -> RecordDefaults {
        var schema: OutputSchema?
        if let outputSchema {
            do {
                schema = try OutputSchema.load(path: outputSchema)
            } catch {
                printError("promptline: \(error)")
                throw ExitCode(.usage)
            }
        }
        return RecordDefaults(
            model: model, maxTokens: maxTokens, system: system, temperature: temperature, outputSchema: schema, maxTokensCap: maxTokensCap)
    }
}
