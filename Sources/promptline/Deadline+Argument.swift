import ArgumentParser
import Promptline

/// `--deadline 90m|6h|2026-12-03T06:00:00Z`, parsed once (a bad value is a usage error, exit 64).
extension Deadline: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}
