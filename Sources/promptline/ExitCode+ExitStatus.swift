import ArgumentParser
import Promptline

extension ExitCode {
    /// Exits with one of promptline's statuses (SPEC §7).
    init(_ status: ExitStatus) {
        self.init(status.rawValue)
    }
}
