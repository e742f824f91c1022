import Testing

@testable import Promptline

@Suite struct RateLimitHeadersTests {
    private let fullSet: [(String, String)] = [
        ("content-type", "application/json"),
        ("anthropic-ratelimit-requests-limit", "50"),
        ("anthropic-ratelimit-requests-remaining", "49"),
        ("anthropic-ratelimit-requests-reset", "2026-11-29T04:05:06Z"),
        ("anthropic-ratelimit-tokens-limit", "90000"),
        ("anthropic-ratelimit-tokens-remaining", "89000"),
        ("anthropic-ratelimit-tokens-reset", "2026-11-29T04:05:06.5Z"),
        ("anthropic-ratelimit-input-tokens-limit", "50000"),
        ("anthropic-ratelimit-input-tokens-remaining", "49500"),
        ("anthropic-ratelimit-input-tokens-reset", "2026-11-29T04:05:07Z"),
        ("anthropic-ratelimit-output-tokens-limit", "10000"),
        ("anthropic-ratelimit-output-tokens-remaining", "9500"),
        ("anthropic-ratelimit-output-tokens-reset", "2026-11-29T04:05:08Z"),
    ]

    @Test func parsesEveryDimensionOfAResponse() throws {
        let headers = try #require(RateLimitHeaders.parse(fullSet))
        #expect(headers.requests == .init(limit: 50, remaining: 49))
        #expect(headers.tokens == .init(limit: 90_000, remaining: 89_000))
        #expect(headers.inputTokens == .init(limit: 50_000, remaining: 49_500))
        #expect(headers.outputTokens == .init(limit: 10_000, remaining: 9_500))
    }

    @Test func isNilWhenTheResponseHasNoRateLimitHeader() {
        #expect(RateLimitHeaders.parse([]) == nil)
        #expect(RateLimitHeaders.parse([("request-id", "req_1"), ("retry-after", "3")]) == nil)
    }

    @Test func isNilWhenNoDimensionIsComplete() {
        #expect(RateLimitHeaders.parse([("anthropic-ratelimit-requests-limit", "50")]) == nil)
        #expect(
            RateLimitHeaders.parse([
                ("anthropic-ratelimit-requests-limit", "many"),
                ("anthropic-ratelimit-requests-remaining", "3"),
            ]) == nil)
    }

    @Test func keepsCompleteDimensionsAndDropsIncompleteOnes() throws {
        let headers = try #require(
            RateLimitHeaders.parse([
                ("anthropic-ratelimit-requests-limit", "50"),
                ("anthropic-ratelimit-requests-remaining", "3"),
                ("anthropic-ratelimit-output-tokens-limit", "100"),
            ]))
        #expect(headers.requests == .init(limit: 50, remaining: 3))
        #expect(headers.outputTokens == nil)
        #expect(headers.tokens == nil)
        #expect(headers.inputTokens == nil)
    }

    @Test func matchesNamesCaseInsensitivelyAndTrimsValues() throws {
        let headers = try #require(
            RateLimitHeaders.parse([
                ("Anthropic-RateLimit-Requests-Limit", " 50 "),
                ("ANTHROPIC-RATELIMIT-REQUESTS-REMAINING", "7\r"),
                ("anthropic-ratelimit-requests-reset", " 2026-11-29T04:05:06Z"),
            ]))
        #expect(headers.requests == .init(limit: 50, remaining: 7))
    }

    @Test(
        arguments: [
            ("+5", 5), ("-3", -3), ("\t42 ", 42), ("0", 0),
            ("", nil), (" ", nil), ("+", nil), ("1e3", nil), ("5 5", nil), ("4.0", nil), ("99999999999999999999", nil),
        ] as [(String, Int?)])
    func readsAFigureOnlyWhenItIsAWholeNumber(text: String, figure: Int?) {
        let headers = RateLimitHeaders.parse([
            ("anthropic-ratelimit-requests-limit", text), ("anthropic-ratelimit-requests-remaining", "1"),
        ])
        #expect(headers?.requests?.limit == figure)
    }

    @Test func theLastOfARepeatedHeaderWins() {
        let headers = RateLimitHeaders.parse([
            ("anthropic-ratelimit-requests-limit", "50"), ("anthropic-ratelimit-requests-remaining", "9"),
            ("anthropic-ratelimit-requests-remaining", "8"),
        ])
        #expect(headers?.requests == .init(limit: 50, remaining: 8))
    }
}
