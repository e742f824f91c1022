extension Duration {
    /// The longest time an option may ask for, in seconds: a century, longer than any job runs.
    static let longestOptionSeconds = 3_153_600_000.0

    /// A time given on the command line in seconds, taken once as a `Duration`: `inf` and anything
    /// beyond a century is a century (no limit, without overflowing the job's clock); NaN and
    /// anything below zero is zero.
    init(optionSeconds seconds: Double) {
        self = seconds > 0 ? .seconds(Swift.min(seconds, Self.longestOptionSeconds)) : .zero
    }
}
