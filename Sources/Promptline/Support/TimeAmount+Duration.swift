import NIOCore

extension TimeAmount {
    /// `duration` as NIO's time amount (whole nanoseconds): the one place a `Duration` (an attempt's
    /// timeout, a connect timeout) becomes what AsyncHTTPClient takes.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = overflow ? .nanoseconds(seconds < 0 ? .min : .max) : .nanoseconds(nanoseconds + attoseconds / 1_000_000_000)
    }
}
