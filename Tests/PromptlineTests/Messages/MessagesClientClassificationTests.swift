import Foundation
import AsyncHTTPClient
import NIOHTTP1
import Testing

@testable import Promptline

@Suite struct MessagesClientClassificationTests {
    @Test func anAPIErrorBodyGivesItsTypeMessageAndBodyOnOneLine() {
        let body = Array(
            """
            {"type":"error",
             "error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}
            """.utf8)
        let failure = MessagesClient.classify(status: 529, headers: ["x-should-retry": "true"], body: body)
        #expect(failure.kind == .http(status: 529))
        #expect(failure.errorType == "overloaded_error")
        #expect(failure.message == "Overloaded")
        #expect(failure.shouldRetry == true)
        #expect(failure.isServerFailure)
        #expect(failure.body.map { !$0.contains(0x0A) } == true)
    }

    @Test func theSpendLimitCodeIsRead() {
        let body = Array(
            #"{"type":"error","error":{"type":"rate_limit_error","message":"limit","details":{"error_code":"enforced_spend_limit_reached"}}}"#
                .utf8)
        let failure = MessagesClient.classify(status: 429, headers: [:], body: body)
        #expect(failure.errorCode == "enforced_spend_limit_reached")
        #expect(failure.retryAfter == nil)
        #expect(!failure.isServerFailure)
    }

    @Test func aBodyThatIsNotTheErrorShapeStillGivesATypeFromTheStatus() {
        let failure = MessagesClient.classify(status: 503, headers: ["retry-after": "3"], body: Array("<html>".utf8))
        #expect(failure.errorType == "api_error")
        #expect(failure.body == nil)
        #expect(failure.retryAfter == 3)
    }

    @Test func deadlinesAreTimeoutsAndOtherTransportFailuresConnectionErrors() {
        #expect(MessagesClient.classify(transportError: HTTPClientError.deadlineExceeded).kind == .timeout)
        #expect(MessagesClient.classify(transportError: HTTPClientError.remoteConnectionClosed).kind == .connection)
    }

    @Test func rateLimitHeadersAreReadFromAResponsesHeadersWhateverTheirCase() {
        let headers = HTTPHeaders([
            ("Anthropic-RateLimit-Requests-Limit", "50"), ("anthropic-ratelimit-requests-remaining", "49"),
            ("request-id", "req_1"), ("anthropic-ratelimit", "x"), ("content-type", "application/json"),
            ("anthropic-organization-id", "org"),
        ])
        let parsed = RateLimitHeaders.parse(headers.lazy.map { ($0.name, $0.value) })
        #expect(parsed == RateLimitHeaders(requests: .init(limit: 50, remaining: 49)))
    }

    @Test func aRetryAfterHTTPDateIsReadAgainstTheGivenTime() {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let date = "Wed, 18 Nov 2026 11:06:50 GMT"  // now + 10 s
        let failure = MessagesClient.classify(status: 529, headers: ["retry-after": date], body: [], now: now)
        #expect(failure.retryAfter == 10)
    }
}
