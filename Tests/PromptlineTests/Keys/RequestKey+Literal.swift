@testable import Promptline

/// Tests name keys by their text (`"k1"`), as a record's own `idempotency_key` would.
extension RequestKey: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) {
        self.init(text: text)
    }
}
