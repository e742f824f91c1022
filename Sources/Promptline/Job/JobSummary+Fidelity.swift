extension JobSummary {
    /// Takes in what the API reported beyond tokens in and out: cache tokens, stop reasons, the
    /// dated ids that answered, and the models without a price.
    mutating func recordFidelity(values: JobCounters.Values, stopReasons: [String: Int], unpriced: [String]) {
        cacheCreationInputTokens = values.cacheCreationInputTokens
        cacheReadInputTokens = values.cacheReadInputTokens
        self.stopReasons = stopReasons
        answeringModels = values.answeringModels.mapValues { $0.sorted() }
        unpricedModels = unpriced
    }
}
