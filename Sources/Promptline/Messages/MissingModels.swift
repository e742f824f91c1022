import Synchronization

/// Models the API answered 404 `not_found_error` for (unknown or retired): the model's fault, not
/// the record's. Once one is known, later records go straight down their chain without asking it
/// again, and the operator is told once per model, not once per record.
final class MissingModels: Sendable {
    private let found = Mutex([String: RequestFailure]())

    init() {}

    /// The 404 a model answered, if it did.
    func failure(for model: String) -> RequestFailure? {
        found.withLock { $0[model] }
    }

    /// Notes a model's 404; true the first time for that model (the caller then tells the operator).
    func note(_ model: String, failure: RequestFailure) -> Bool {
        found.withLock { found in
            guard found[model] == nil else { return false }
            found[model] = failure
            return true
        }
    }
}
