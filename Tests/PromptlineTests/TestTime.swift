import Synchronization

/// A settable clock (seconds) for the types that take a `now` closure.
final class TestTime: Sendable {
    private let value = Mutex(0.0)

    func set(_ seconds: Double) { value.withLock { $0 = seconds } }

    func advance(_ seconds: Double) { value.withLock { $0 += seconds } }

    var now: @Sendable () -> Double { { self.value.withLock { $0 } } }
}
