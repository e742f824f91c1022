extension JobSummary {
    /// The summary of a run that read its input, before it ends: the records the window wrote and
    /// counted, and what the meters measured. How it ended (`stopped`, `exitCode`,
    /// `outputComplete`) is set by the job's end.
    ///
    /// - Parameters:
    ///   - skip: records already in the partial output when the run started (not this run's throughput).
    ///   - wallSeconds: the run's duration.
    init(output: String, window: WindowState, skip: Int, meters: JobMeters, wallSeconds: Double) {
        self.init()
        self.output = output
        let values = meters.counters.values
        records = window.results
        tiers = window.tiers
        reusedFromStore = window.reused
        structured = window.structured.isEmpty ? nil : window.structured
        requestsSent = values.requestsSent
        retries = values.retries
        rateLimited = values.rateLimited
        inputTokens = values.inputTokens
        outputTokens = values.outputTokens
        interruptedKeys = values.interrupted
        tokensByModel = values.tokensByModel
        (costUSD, costByModel) = meters.spend.spent
        cacheSavedUSD = meters.spend.savedByCache
        recordFidelity(values: values, stopReasons: window.stopReasons, unpriced: meters.spend.unpriced)
        breakerTrips = meters.health.trips
        rateLimitsByModel = meters.throttle.limits
        concurrencyWindow = meters.throttle.concurrencyLimit
        throttledSends = meters.health.throttledSends
        successShares = meters.health.successShares
        poisonRecords = values.poisonRecords
        self.wallSeconds = wallSeconds
        recordsPerSecond = Double(window.written - skip) / max(0.001, wallSeconds)
    }

    /// The summary of a finished job run again: nothing read, nothing sent. Its records by type
    /// and tier are the finished job's (all reused from the store); its costs are this run's: none.
    /// It exits 0 (SPEC §7): nothing failed in this run, even when the finished job holds errored
    /// or invalid records.
    init(rerunOf finished: JobSummary, output: String, wallSeconds: Double) {
        self.init()
        self.output = output
        records = finished.records
        tiers = finished.tiers
        stopReasons = finished.stopReasons
        structured = finished.structured
        outputComplete = true
        reusedFromStore = totalRecords
        self.wallSeconds = wallSeconds
        recordsPerSecond = Double(totalRecords) / max(0.001, wallSeconds)
    }
}
