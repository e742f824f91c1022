import Foundation

/// The job's progress lines on stderr: when one is due, and how it is drawn.
///
/// - `live` (stderr is a terminal): one line redrawn in place (carriage return, erase line) every
///   half second, and erased at the end so the summary starts on a clean line;
/// - `plain` (make, CI logs): a line every `every` seconds;
/// - `none`, or `--quiet`: nothing.
///
/// It reads no clock: the caller gives the time (on the job's clock). It writes to an
/// injected terminal (raw text, no newline added), so tests drive it with a fake terminal.
struct ProgressReporter {
    /// Time between redraws of the live line.
    static let liveInterval = Duration.milliseconds(500)
    /// Back to the start of the line and erase it (ANSI): how the live line is redrawn and cleared.
    static let eraseLine = "\r\u{1B}[2K"

    private let mode: ProgressMode
    private let terminal: @Sendable (String) -> Void
    private var lastShown: JobClock.Instant
    private var liveLineShown = false

    /// - Parameters:
    ///   - start: the time the job's progress starts from; the first line is due an interval later.
    ///   - terminal: where the lines go (stderr in the binary), written as given.
    init(mode: ProgressMode, quiet: Bool, start: JobClock.Instant, terminal: @escaping @Sendable (String) -> Void) {
        self.mode = quiet ? .none : mode
        self.lastShown = start
        self.terminal = terminal
    }

    /// Time between lines; nil when no line is ever shown.
    var interval: Duration? {
        switch mode {
        case .live: Self.liveInterval
        case .plain(let every): every
        case .none: nil
        }
    }

    /// True when a line is due at `now` (so it is worth composing).
    func isDue(at now: JobClock.Instant) -> Bool {
        guard let interval else { return false }
        return now - lastShown > interval
    }

    /// Shows `line` at `now`: redrawn in place when live, on a line of its own when plain.
    mutating func show(_ line: String, at now: JobClock.Instant) {
        lastShown = now
        switch mode {
        case .live:
            terminal(Self.eraseLine + line)
            liveLineShown = true
        case .plain:
            terminal(line + "\n")
        case .none:
            break
        }
    }

    /// Erases the live line, if one is shown (the job's end: the summary follows).
    mutating func finish() {
        guard liveLineShown else { return }
        terminal(Self.eraseLine)
        liveLineShown = false
    }
}

extension ProgressReporter {
    /// One progress line: records written, rate, in flight and window, requests, retries, 429s,
    /// tokens, estimated cost, input read, the binding rate limit, breakers not closed.
    static func line(written: Int, skip: Int, elapsed: Duration, meters: JobMeters, bytesRead: Int, totalBytes: Int?) -> String {
        let values = meters.counters.values
        let throttle = meters.throttle
        let health = meters.health
        let spend = meters.spend
        let seconds = elapsed.seconds
        let rate = Double(written - skip) / max(0.001, seconds)
        var read = "\(bytesRead) input bytes read"
        if let totalBytes, totalBytes > 0 {
            let fraction = min(1, Double(bytesRead) / Double(totalBytes))
            read = String(format: "%.1f%% of input read", fraction * 100)
            if fraction > 0.01 && fraction < 1 {
                read += ", ETA \(Int(seconds * (1 - fraction) / fraction)) s"
            }
        }
        let bound = throttle.limits.compactMap { model, seen in seen.binding.map { "\(model) by \($0)" } }.sorted()
        let breakers = health.breakerStates.filter { $0.value != .closed }
        let shares = health.successShares.filter { $0.value < 0.995 }
        return "promptline: \(written) records written, \(Int(rate)) records/s, \(throttle.inFlight) in flight "
            + "(window \(throttle.concurrencyLimit)), \(values.waiting) waiting, \(values.requestsSent) requests, \(values.retries) retries, "
            + "\(values.rateLimited) 429s, tokens in \(values.inputTokens) out \(values.outputTokens), "
            + "cost $\(String(format: "%.4f", spend.spent.total))\(spend.unpriced.isEmpty ? "" : " + unknown"), \(read)"
            + (bound.isEmpty ? "" : ", limited: " + bound.joined(separator: ", "))
            + (shares.isEmpty
                ? ""
                : ", success last min "
                    + shares.sorted { $0.key < $1.key }.map { "\($0.key) \(Int(($0.value * 100).rounded())) %" }.joined(separator: ", "))
            + (health.throttledSends == 0 ? "" : ", \(health.throttledSends) sends throttled")
            + (breakers.isEmpty
                ? "" : ", breakers " + breakers.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }
}
