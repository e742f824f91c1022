/// Command-line defaults for what a record leaves out; a record's own values win.
public struct RecordDefaults: Sendable, Hashable, Codable {
    var model: String?
    var maxTokens: Int
    var system: String?
    var temperature: Double?

    public init(model: String? = nil, maxTokens: Int = 1024, system: String? = nil, temperature: Double? = nil) {
        self.model = model
        self.maxTokens = maxTokens
        self.system = system
        self.temperature = temperature
    }
}
