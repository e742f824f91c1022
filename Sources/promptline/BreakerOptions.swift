import ArgumentParser
import Promptline

/// The circuit breaker's tuning flags.
struct BreakerOptions: ParsableArguments {
    @Option(name: .customLong("breaker-window"), help: "Calls in the breaker's sliding window.")
    var window = 50

    @Option(name: .customLong("breaker-min-calls"), help: "Calls the window needs before the failure rate can open the breaker.")
    var minimumCalls = 20

    @Option(name: .customLong("breaker-failure-rate"), help: "Failure rate (0-1) over the window that opens the breaker.")
    var failureRate = 0.9

    @Option(
        name: .customLong("breaker-consecutive"),
        help:
            "Shortest run of consecutive server failures that opens the breaker (longer when the model's recent error share explains the run)."
    )
    var consecutive = 5

    @Option(name: .customLong("breaker-break"), help: "First break, seconds; each reopening doubles it.")
    var breakSeconds = 2.0

    @Option(name: .customLong("breaker-max-break"), help: "Longest break, seconds.")
    var maxBreak = 30.0

    @Option(name: .customLong("breaker-probes"), help: "Probe requests a half-open breaker admits.")
    var probes = 2

    @Flag(name: .customLong("no-breaker"), help: "Turn the circuit breakers off (to measure what they buy).")
    var noBreaker = false

    func validate() throws {
        guard window >= 1, minimumCalls >= 1, consecutive >= 1, probes >= 1 else {
            throw ValidationError("--breaker-window, --breaker-min-calls, --breaker-consecutive and --breaker-probes must be at least 1")
        }
        guard failureRate > 0, failureRate <= 1 else { throw ValidationError("--breaker-failure-rate must be in (0, 1]") }
        guard breakSeconds > 0, maxBreak >= breakSeconds else {
            throw ValidationError("--breaker-max-break must be at least --breaker-break")
        }
    }

    var configuration: CircuitBreaker.Configuration {
        var configuration = CircuitBreaker.Configuration()
        configuration.windowSize = window
        configuration.minimumCalls = minimumCalls
        configuration.failureRateThreshold = failureRate
        configuration.consecutiveFailures = consecutive
        configuration.baseBreak = breakSeconds
        configuration.maxBreak = maxBreak
        configuration.halfOpenProbes = probes
        return configuration
    }
}
