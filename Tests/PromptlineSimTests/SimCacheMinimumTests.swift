import Testing

@testable import PromptlineSim

@Suite struct SimCacheMinimumTests {
    @Test func minimumsFollowTheDocumentedTablePerModel() {
        let expected: [(String, Int)] = [
            ("claude-sonnet-4-5-20250929", 1024), ("claude-sonnet-4-6", 1024), ("claude-opus-4-20250514", 1024),
            ("claude-opus-4-1-20250805", 1024), ("claude-sonnet-4-20250514", 1024), ("claude-3-7-sonnet-20250219", 1024),
            ("claude-opus-4-5", 4096), ("claude-opus-4-6", 4096), ("claude-opus-4-7", 4096), ("claude-haiku-4-5-20251001", 4096),
            ("claude-3-5-haiku-20241022", 2048), ("claude-3-haiku-20240307", 2048), ("claude-opus-5", 512),
            ("claude-sonnet-5", 1024), ("claude-fable-5-1", 512), ("claude-mythos-5", 512), ("claude-test-model", 1024),
        ]
        for (model, tokens) in expected {
            #expect(SimCacheMinimum.tokens(for: model) == tokens, "\(model)")
        }
    }
}
