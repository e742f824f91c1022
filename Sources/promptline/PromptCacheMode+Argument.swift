import ArgumentParser
import Promptline

/// `--prompt-cache auto|off`.
extension PromptCacheMode: ExpressibleByArgument {}
