import Foundation

extension ExitStatus {
    /// The status a job or command exits with when `error` ends it, by the error's type: the store
    /// or the output (or another file it writes) 74, the input 65, a job-wide stop its reason's
    /// status, a signal 130/143; anything else is a failure promptline did not classify (70, an
    /// internal error with its message: committed results are safe, but it is not a "resume later").
    public init(for error: any Error) {
        switch error {
        case is StoreError, is OutputError, is CocoaError, is POSIXError: self = .cannotWrite
        case is InputError: self = .unusableInput
        case let stop as JobStop: self = stop.reason.exitStatus
        case let interrupted as SignalWatcher.Interrupted: self = .stopped(by: interrupted.signal)
        default: self = .internalError
        }
    }
}
