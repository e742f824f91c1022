/// A continuously replenished token bucket: capacity is the per-minute figure and
/// it refills at `capacity / 60` per second. Time is injected (seconds on any fixed
/// scale), so the bucket is a pure value.
struct TokenBucket: Sendable, Equatable {
    /// The per-minute figure, also the capacity.
    let capacity: Double
    /// Tokens available at `updatedAt` (may be negative after an output charge).
    private(set) var level: Double
    /// The time `level` was last brought up to date.
    private(set) var updatedAt: Double

    /// Creates a full bucket.
    init(perMinute: Int, now: Double) {
        self.capacity = Double(perMinute)
        self.level = Double(perMinute)
        self.updatedAt = now
    }

    /// Refill per second.
    var ratePerSecond: Double { self.capacity / 60 }

    /// Brings `level` up to `now`.
    mutating func refill(now: Double) {
        guard now > self.updatedAt else { return }
        self.level = min(self.capacity, self.level + (now - self.updatedAt) * self.ratePerSecond)
        self.updatedAt = now
    }

    /// Seconds until `amount` tokens are available (0 when they already are);
    /// an amount above the capacity is treated as the capacity.
    func secondsUntilAvailable(_ amount: Double, now: Double) -> Double {
        var copy = self
        copy.refill(now: now)
        let needed = min(amount, self.capacity)
        guard copy.level < needed else { return 0 }
        guard self.ratePerSecond > 0 else { return .infinity }
        return (needed - copy.level) / self.ratePerSecond
    }

    /// Removes `amount` tokens (the level may go negative).
    mutating func take(_ amount: Double, now: Double) {
        self.refill(now: now)
        self.level -= amount
    }

    /// Whole tokens available at `now`, never negative.
    func remaining(now: Double) -> Int {
        var copy = self
        copy.refill(now: now)
        return max(0, Int(copy.level.rounded(.down)))
    }

    /// The time at which the bucket will be full again.
    func fullAt(now: Double) -> Double {
        var copy = self
        copy.refill(now: now)
        guard self.ratePerSecond > 0 else { return now }
        return now + (self.capacity - copy.level) / self.ratePerSecond
    }
}
