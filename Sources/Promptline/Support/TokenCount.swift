/// Input and output tokens.
public struct TokenCount: Sendable, Codable, Equatable {
    public var input = 0
    public var output = 0

    public init(input: Int = 0, output: Int = 0) {
        self.input = input
        self.output = output
    }
}
