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
        #expect(headers.requests == .init(limit: 50, remaining: 49, reset: 1_795_925_106))
        #expect(headers.tokens == .init(limit: 90_000, remaining: 89_000, reset: 1_795_925_106.5))
        #expect(headers.inputTokens == .init(limit: 50_000, remaining: 49_500, reset: 1_795_925_107))
        #expect(headers.outputTokens == .init(limit: 10_000, remaining: 9_500, reset: 1_795_925_108))
    }

    @Test func isNilWhenTheResponseHasNoRateLimitHeader() {
        #expect(RateLimitHeaders.parse([]) == nil)
        #expect(RateLimitHeaders.parse([("request-id", "req_1"), ("retry-after", "3")]) == nil)
    }

    @Test func isNilWhenNoDimensionIsComplete() {
        #expect(RateLimitHeaders.parse([("anthropic-ratelimit-requests-limit", "50")]) == nil)
        #expect(RateLimitHeaders.parse([
            ("anthropic-ratelimit-requests-limit", "many"),
            ("anthropic-ratelimit-requests-remaining", "3"),
        ]) == nil)
    }

    @Test func keepsCompleteDimensionsAndDropsIncompleteOnes() throws {
        let headers = try #require(RateLimitHeaders.parse([
            ("anthropic-ratelimit-requests-limit", "50"),
            ("anthropic-ratelimit-requests-remaining", "3"),
            ("anthropic-ratelimit-output-tokens-limit", "100"),
        ]))
        #expect(headers.requests == .init(limit: 50, remaining: 3, reset: nil))
        #expect(headers.outputTokens == nil)
        #expect(headers.tokens == nil)
        #expect(headers.inputTokens == nil)
    }

    @Test func matchesNamesCaseInsensitivelyAndTrimsValues() throws {
        let headers = try #require(RateLimitHeaders.parse([
            ("Anthropic-RateLimit-Requests-Limit", " 50 "),
            ("ANTHROPIC-RATELIMIT-REQUESTS-REMAINING", "7\r"),
            ("anthropic-ratelimit-requests-reset", " 2026-11-29T04:05:06Z"),
        ]))
        #expect(headers.requests == .init(limit: 50, remaining: 7, reset: 1_795_925_106))
    }

    @Test func anUnparsableResetLeavesTheDimensionWithoutReset() throws {
        let headers = try #require(RateLimitHeaders.parse([
            ("anthropic-ratelimit-requests-limit", "50"),
            ("anthropic-ratelimit-requests-remaining", "7"),
            ("anthropic-ratelimit-requests-reset", "soon"),
        ]))
        #expect(headers.requests == .init(limit: 50, remaining: 7, reset: nil))
    }

    @Test(arguments: [
        ("2026-11-29T04:05:06Z", 1_795_925_106.0),
        ("2026-11-29T04:05:06.5Z", 1_795_925_106.5),
        ("2026-11-29T04:05:06.250Z", 1_795_925_106.25),
        ("2026-11-29T04:05:06.123456789Z", 1_795_925_106.123456789),
        ("2026-11-29t04:05:06z", 1_795_925_106.0),
        ("2026-11-29T06:05:06+02:00", 1_795_925_106.0),
        ("2026-11-28T23:35:06-04:30", 1_795_925_106.0),
        ("2024-02-29T23:59:59Z", 1_709_251_199.0),
        ("1970-01-01T00:00:00Z", 0.0),
    ])
    func parsesRFC3339WithAndWithoutFractionalSeconds(text: String, seconds: Double) throws {
        let parsed = try #require(RateLimitHeaders.parseRFC3339(text))
        #expect(abs(parsed - seconds) < 1e-6)
    }

    @Test(arguments: [
        "", "2026-11-29", "2026-11-29T04:05:06", "2026-11-29T04:05Z", "2026-13-01T00:00:00Z",
        "2025-02-29T00:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T04:05:06.Z",
        "2026-11-29T04:05:06Zjunk", "Sun, 29 Nov 2026 04:05:06 GMT", "1795925106",
    ])
    func rejectsWhatIsNotAnRFC3339Timestamp(text: String) {
        #expect(RateLimitHeaders.parseRFC3339(text) == nil)
    }
}
