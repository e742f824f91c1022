extension Clock where Duration == Swift.Duration {
    /// Seconds passed on this clock since the call, as the policies' `now` closures read time
    /// (``ModelHealth``, ``Throttle``): one clock for sleeping and for reading the time, so a test
    /// clock drives both.
    func stopwatch() -> @Sendable () -> Double {
        let start = now
        return { start.duration(to: self.now).seconds }
    }
}
