import Synchronization

/// Uniform draws in [0, 1) for jitter and the adaptive throttle's decisions, at a few nanoseconds
/// each: SplitMix64 behind a lock, seeded once from the system generator (whose every draw is a
/// `getrandom` system call, one per request on the hot path before). Not for secrets.
@usableFromInline
final class FastRandom: Sendable {
    /// The process's shared source.
    @usableFromInline static let shared = FastRandom()

    private let state: Mutex<UInt64>

    init(seed: UInt64 = UInt64.random(in: .min ... .max)) {
        self.state = Mutex(seed)
    }

    /// The next draw, in [0, 1).
    @usableFromInline func next() -> Double {
        let bits = state.withLock { state -> UInt64 in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        // The top 53 bits, as a double in [0, 1).
        return Double(bits >> 11) * 0x1.0p-53
    }
}
