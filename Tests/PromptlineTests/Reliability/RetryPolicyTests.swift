import Testing

@testable import Promptline

@Suite struct RetryPolicyTests {
    /// The model's wait (``RetryWait``), what a retry waits when the server named no wait.
    private let wait = Duration.milliseconds(100)

    private func failure(
        _ status: Int, type: String = "api_error", message: String = "x", retryAfter: Double? = nil,
        shouldRetry: Bool? = nil, errorCode: String? = nil
    ) -> RequestFailure {
        RequestFailure(
            kind: .http(status: status), errorType: type, message: message, retryAfter: retryAfter,
            shouldRetry: shouldRetry, errorCode: errorCode)
    }

    @Test(arguments: [408, 409, 429, 500, 502, 503, 504, 529])
    func retryableStatusesAreRetried(status: Int) {
        var policy = RetryPolicy(maxRetries: 2)
        #expect(policy.event(failure(status), modelWait: wait) == .retry(after: wait))
    }

    @Test(arguments: [400, 404, 413, 422])
    func requestFaultsFailTheRecordWithoutRetry(status: Int) {
        var policy = RetryPolicy(maxRetries: 2)
        #expect(policy.event(failure(status), modelWait: wait) == .fail)
    }

    @Test func timeoutsConnectionErrorsAndMalformedBodiesAreRetried() {
        for kind in [RequestFailure.Kind.timeout, .connection, .malformedBody] {
            var policy = RetryPolicy(maxRetries: 1)
            #expect(policy.event(RequestFailure(kind: kind, errorType: "t", message: "m"), modelWait: wait) == .retry(after: wait))
        }
    }

    /// The delay is the model's, not a schedule of this request's failures: the fifth retry waits as the first.
    @Test func everyRetryWaitsTheModelsWaitHoweverManyFailedBefore() {
        var policy = RetryPolicy(maxRetries: 6)
        let delays = (0..<6).map { _ in policy.event(failure(500), modelWait: wait) }
        #expect(delays == Array(repeating: .retry(after: wait), count: 6))
        #expect(policy.event(failure(500), modelWait: wait) == .exhausted)
    }

    @Test func retriesAreSpentAfterMaxRetries() {
        var policy = RetryPolicy(maxRetries: 2)
        _ = policy.event(failure(529), modelWait: wait)
        _ = policy.event(failure(529), modelWait: wait)
        #expect(policy.event(failure(529), modelWait: wait) == .exhausted)
    }

    @Test func rateLimitsAreRetriedWithoutUsingUpTheRetries() {
        var policy = RetryPolicy(maxRetries: 1)
        let actions = (0..<5).map { _ in policy.event(failure(429, type: "rate_limit_error", retryAfter: 3), modelWait: wait) }
        #expect(actions == Array(repeating: .retry(after: .seconds(3)), count: 5))
        #expect(policy.event(failure(500), modelWait: wait) == .retry(after: wait))
        #expect(policy.event(failure(500), modelWait: wait) == .exhausted)
    }

    @Test func retryAfterIsHonouredEvenWhenLong() {
        var policy = RetryPolicy(maxRetries: 2)
        #expect(policy.event(failure(429, retryAfter: 300), modelWait: wait) == .retry(after: .seconds(300)))
    }

    @Test func xShouldRetryOverridesTheStatus() {
        var told = RetryPolicy(maxRetries: 2)
        #expect(told.event(failure(400, shouldRetry: true), modelWait: wait) == .retry(after: wait))
        var forbidden = RetryPolicy(maxRetries: 2)
        #expect(forbidden.event(failure(503, shouldRetry: false), modelWait: wait) == .exhausted)
    }

    @Test func authenticationAndPermissionStopTheJobWithSeventySeven() {
        var policy = RetryPolicy(maxRetries: 2)
        let stop401 = policy.event(failure(401, type: "authentication_error", message: "invalid x-api-key"), modelWait: wait)
        #expect(stop401 == .stopJob(.authentication("invalid x-api-key")))
        #expect(JobStopReason.authentication("").exitCode == 77)
        #expect(policy.event(failure(403), modelWait: wait) == .stopJob(.permission("x")))
    }

    @Test func theSpendCapAndAnEmptyCreditBalanceStopTheJobWithSeventyFive() {
        var policy = RetryPolicy(maxRetries: 2)
        #expect(
            policy.event(failure(429, type: "rate_limit_error", errorCode: "enforced_spend_limit_reached"), modelWait: wait)
                == .stopJob(.spendLimit))
        #expect(
            policy.event(failure(400, message: "Your credit balance is too low to access the Anthropic API."), modelWait: wait)
                == .stopJob(.creditBalance))
        #expect(JobStopReason.spendLimit.exitCode == 75)
        // A spend-limit 429 that does carry retry-after is an ordinary rate limit.
        #expect(
            policy.event(failure(429, retryAfter: 2, errorCode: "enforced_spend_limit_reached"), modelWait: wait)
                == .retry(after: .seconds(2)))
    }

    @Test(
        arguments: [
            ("5", nil, 5.0), (nil, "1500", 1.5), ("7", "250", 0.25), ("soon", nil, nil),
        ] as [(String?, String?, Double?)])
    func retryAfterHeadersParse(value: String?, milliseconds: String?, expected: Double?) {
        #expect(RetryAfter.parse(milliseconds: milliseconds, value: value, now: .init(timeIntervalSince1970: 0)) == expected)
    }

    @Test func retryAfterAsAnHTTPDateIsTheWaitUntilThen() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let wait = RetryAfter.parse(milliseconds: nil, value: "Tue, 14 Nov 2023 22:14:00 GMT", now: now)
        #expect(abs((wait ?? 0) - 40) < 0.001)
    }
}

import Foundation
