/// Command-line defaults for what a record leaves out; a record's own values win.
public struct RecordDefaults: Sendable, Hashable, Codable {
    var model: String?
    var maxTokens: Int
    var system: String?
    var temperature: Double?
    /// `--output-schema`: sent as `output_config.format` with every record that sets no format of its own.
    var outputSchema: OutputSchema?
    /// `--max-tokens-cap`: how far `max_tokens` is raised for a JSON answer cut at `max_tokens`.
    var maxTokensCap: Int

    /// The default `--max-tokens-cap`: doubling from the usual 1,024 reaches it in four extra
    /// requests, it is within every current model's output limit, and it is far beyond what a
    /// record-sized JSON answer needs (a cap, not a target: only cut answers climb it).
    public static let defaultMaxTokensCap = 16_384

    /// Defaults from the command line; nil leaves the field to the record (or the API).
    public init(
        model: String? = nil, maxTokens: Int = 1024, system: String? = nil, temperature: Double? = nil,
        outputSchema: OutputSchema? = nil, maxTokensCap: Int = RecordDefaults.defaultMaxTokensCap
    ) {
        self.model = model
        self.maxTokens = maxTokens
        self.system = system
        self.temperature = temperature
        self.outputSchema = outputSchema
        self.maxTokensCap = maxTokensCap
    }
}
