import ArgumentParser
import Promptline

/// `--shard K/N`, parsed once by the argument parser (a bad value is a usage error, exit 64).
extension Shard: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}
