import Synchronization

/// A settable time (seconds) for tests: a manual job clock (``TestTime/clock``) and a wall clock
/// (``TestTime/wallClock``) read it.
final class TestTime: Sendable {
    private let value = Mutex(0.0)

    func set(_ seconds: Double) { value.withLock { $0 = seconds } }

    func advance(_ seconds: Double) { value.withLock { $0 += seconds } }

    var now: @Sendable () -> Double { { self.value.withLock { $0 } } }
}
