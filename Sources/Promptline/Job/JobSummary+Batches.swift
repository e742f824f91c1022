extension JobSummary {
    /// Takes the batches' requests, tokens and cost (at the batch price) into the job's figures.
    mutating func absorb(_ batches: BatchSummary) {
        self.batches = batches
        requestsSent += batches.requestsSubmitted
        inputTokens += batches.inputTokens
        outputTokens += batches.outputTokens
        for (model, tokens) in batches.tokensByModel { tokensByModel[model, default: TokenCount()] += tokens }
        cacheCreationInputTokens = (cacheCreationInputTokens ?? 0) + batches.cacheCreationInputTokens
        cacheReadInputTokens = (cacheReadInputTokens ?? 0) + batches.cacheReadInputTokens
        cacheSavedUSD = (cacheSavedUSD ?? 0) + batches.cacheSavedUSD
        costUSD += batches.costUSD
        costByModel.merge(batches.costByModel, uniquingKeysWith: +)
    }
}
