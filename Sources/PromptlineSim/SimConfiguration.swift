/// How a ``SimServer`` is set up.
public struct SimConfiguration: Sendable {
    /// The default model ids listed by `GET /v1/models`.
    public static let defaultModels = ["claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-3-5-haiku-latest"]

    /// Address to bind; loopback by default.
    public var host: String
    /// Port to bind; 0 picks a free one.
    var port: Int
    /// When set, requests whose `x-api-key` differs get 401 `authentication_error`.
    var apiKey: String?
    /// Fixed latency added to every message request, in milliseconds.
    var latencyMs: Int
    /// Seed of the random source used for fault draws and latency ranges.
    var seed: UInt64
    /// Faults to inject; replaceable at runtime with `PUT /_sim/scenario`.
    var scenario: SimScenario
    /// Model ids accepted and listed (the scenario's `models` are added).
    var models: [String]
    /// Longest a `hang` fault holds a request before giving up, in seconds.
    var hangLimitSeconds: Double

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        apiKey: String? = nil,
        latencyMs: Int = 0,
        seed: UInt64 = 0,
        scenario: SimScenario = SimScenario(),
        models: [String] = SimConfiguration.defaultModels,
        hangLimitSeconds: Double = 600
    ) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
        self.latencyMs = latencyMs
        self.seed = seed
        self.scenario = scenario
        self.models = models
        self.hangLimitSeconds = hangLimitSeconds
    }
}
