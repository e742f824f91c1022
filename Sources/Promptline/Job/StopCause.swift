import Foundation

/// Why a job ends before its whole output is written. Every cause ends the same way (see
/// ``JobRunner``): requests already sent get the grace period, then the rest is cancelled, what is
/// answered is written and checkpointed, leases go back, the partial output stays for a resume,
/// and the process exits with ``exitStatus``.
enum StopCause: Sendable {
    /// SIGINT or SIGTERM.
    case signal(Int32)
    /// A job-wide condition a request met (401/403, billing, outage, budget).
    case job(JobStop)
    /// Unusable input: a corrupt gzip stream, an unreadable file, an invalid line under `--strict`.
    case inputFault(String)
    /// The store or the output failed (a full disk, a lost file), or a failure promptline did not
    /// classify: what is answered stays committed.
    case fault(any Error)

    /// Which cause ends the job when several arrive (lowest first): a signal (the operator asked),
    /// then a job-wide stop, then unusable input.
    var rank: Int {
        switch self {
        case .signal: 0
        case .job, .fault: 1
        case .inputFault: 2
        }
    }

    /// The process exit status: 130/143 for a signal, the stop's own (77, 75, 64), 65 for input.
    var exitStatus: ExitStatus {
        switch self {
        case .signal(let signal): .stopped(by: signal)
        case .job(let stop): stop.reason.exitStatus
        case .inputFault: .unusableInput
        case .fault(let error): ExitStatus(for: error)
        }
    }

    /// The summary's `stopped`: what happened and how to go on.
    var description: String {
        switch self {
        case .signal(let signal):
            "interrupted by \(signal == SIGTERM ? "SIGTERM" : "SIGINT"); run the same command again to resume"
        case .job(let stop): stop.description
        case .inputFault(let fault): fault
        case .fault(let error): "\(error)"
        }
    }

    /// The line on stderr when the job stops for this cause while it does `activity`; none for
    /// input faults (they are reported at the end, with every fault).
    func announcement(_ activity: StopPath.Activity, gracePeriod: Duration) -> String? {
        let grace = Int(gracePeriod.seconds)
        switch (self, activity) {
        case (.inputFault, _):
            return nil
        case (.signal, .requests(let inFlight)):
            return "promptline: interrupted; finishing \(inFlight) requests in flight (up to \(grace) s), then stopping"
        case (.signal, .batches):
            return "promptline: interrupted; batches already created keep running (they are paid work); a resume collects them"
        case (.job(let stop), .requests):
            return "promptline: stopping: \(stop); requests in flight get up to \(grace) s to finish"
        case (.job(let stop), .batches):
            return "promptline: stopping: \(stop); batches already created keep running and a resume collects them"
        case (.fault(let error), _):
            return "promptline: stopping: \(error)"
        }
    }
}

extension StopCause {
    /// The causes met while a job runs: the strongest (lowest ``rank``) ends the job, and each
    /// kind is announced once, when it first arrives.
    struct Latch {
        /// The cause the job ends with; nil while nothing stops it.
        private(set) var cause: StopCause?
        private var seen: Set<Int> = []

        /// Takes `new` in; returns true when it is the first cause of its kind (to be announced).
        mutating func note(_ new: StopCause) -> Bool {
            if cause.map({ new.rank < $0.rank }) ?? true { cause = new }
            return seen.insert(new.rank).inserted
        }
    }
}
