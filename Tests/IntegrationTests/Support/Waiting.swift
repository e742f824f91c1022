/// Waits until `condition` holds, checking it every 20 ms, and throws naming `what` once `deadline`
/// has passed. Tests synchronise on conditions (a counter, a file, a line of output), never on a
/// time; the deadline is far above what a loaded machine needs and only catches a regression.
func waitUntil(
    _ what: @autoclosure () -> String, within deadline: Duration = .seconds(60), _ condition: () async throws -> Bool
) async throws {
    let end = ContinuousClock.now + deadline
    while try await !condition() {
        guard ContinuousClock.now < end else { throw WaitError(message: "\(what()) did not happen within \(deadline)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}

struct WaitError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
