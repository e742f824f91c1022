import Foundation

/// SplitMix64: a small seeded generator, so a test's random choices can be replayed.
///
/// The seed comes from `PROMPTLINE_TEST_SEED` when set, else at random; a test prints it in its
/// failure messages, and running again with `PROMPTLINE_TEST_SEED=<seed>` makes the same choices.
struct SeededGenerator: RandomNumberGenerator {
    let seed: UInt64
    private var state: UInt64

    init(seed: UInt64) {
        self.seed = seed
        self.state = seed
    }

    /// From `PROMPTLINE_TEST_SEED`, else a fresh random seed (named in the test's failure report).
    static func fromEnvironment() -> SeededGenerator {
        let given = ProcessInfo.processInfo.environment["PROMPTLINE_TEST_SEED"].flatMap { UInt64($0) }
        let generator = SeededGenerator(seed: given ?? UInt64.random(in: 0...UInt64.max))
        FailureReport.current?.note("test seed: PROMPTLINE_TEST_SEED=\(generator.seed)")
        return generator
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
