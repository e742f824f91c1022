import ArgumentParser
import Foundation
import Promptline

extension ExitStatus {
    /// The status a command exits with when `error` ends it, by the error's type: the store or
    /// the output (or another file the command writes) 74, the input 65, a job-wide stop its
    /// reason's status, a signal 130/143; anything else (a failure the job did not classify, such
    /// as an unexpected network error) stopped the job early: committed results are safe and the
    /// same command resumes (75).
    init(for error: any Error) {
        switch error {
        case is StoreError, is OutputError, is CocoaError, is POSIXError: self = .cannotWrite
        case is InputError: self = .unusableInput
        case let stop as JobStop: self = stop.reason.exitStatus
        case let interrupted as SignalWatcher.Interrupted: self = .stopped(by: interrupted.signal)
        default: self = .stoppedEarly
        }
    }
}

/// Runs `body`; an error that ends it is printed on one line and becomes the exit status its type
/// stands for (``ExitStatus/init(for:)``). An `ExitCode` passes through unchanged.
func exitingOnError<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("promptline: \(error)")
        throw ExitCode(ExitStatus(for: error))
    }
}
