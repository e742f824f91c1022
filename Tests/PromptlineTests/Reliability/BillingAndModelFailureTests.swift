import Testing

@testable import Promptline

/// Billing stops and missing models (SPEC §6, issue 9 points 3 and 4).
@Suite struct BillingAndModelFailureTests {
    private func failure(_ status: Int, type: String, message: String) -> RequestFailure {
        RequestFailure(kind: .http(status: status), errorType: type, message: message)
    }

    @Test func aBillingErrorStopsTheJobWithSeventyFiveAndSaysWhatToDo() {
        var policy = RetryPolicy(maxRetries: 2)
        let action = policy.event(failure(402, type: "billing_error", message: "Your account has a billing issue."), modelWait: .zero)
        #expect(action == .stopJob(.billing("Your account has a billing issue.")))
        #expect(JobStopReason.billing("x").exitCode == 75)
        #expect(JobStopReason.billing("x").description.contains("run the same command again"))
    }

    @Test(arguments: [
        "You have reached your specified API usage limits. You will regain access on 2026-12-01 at 00:00 UTC.",
        "You have reached your specified workspace API usage limits.",
    ])
    func aUsageLimit400StopsTheJobWithSeventyFive(message: String) {
        var policy = RetryPolicy(maxRetries: 2)
        #expect(
            policy.event(failure(400, type: "invalid_request_error", message: message), modelWait: .zero) == .stopJob(.usageLimit(message)))
        #expect(JobStopReason.usageLimit(message).exitCode == 75)
        #expect(JobStopReason.usageLimit(message).description.contains("pending records are kept"))
    }

    @Test func anOrdinary400StillFailsTheRecord() {
        var policy = RetryPolicy(maxRetries: 2)
        #expect(
            policy.event(failure(400, type: "invalid_request_error", message: "category: Extra inputs are not permitted"), modelWait: .zero)
                == .fail)
    }

    @Test func aModelNotFoundSendsTheRecordDownTheChain() {
        var policy = RetryPolicy(maxRetries: 2, model: "claude-retired-1")
        #expect(policy.event(failure(404, type: "not_found_error", message: "model: claude-retired-1"), modelWait: .zero) == .exhausted)
    }

    @Test func aNotFoundThatIsNotAboutTheModelFailsTheRecord() {
        var policy = RetryPolicy(maxRetries: 2, model: "claude-haiku-4-5")
        #expect(
            policy.event(failure(404, type: "not_found_error", message: "The requested resource could not be found."), modelWait: .zero)
                == .fail)
        #expect(!failure(400, type: "invalid_request_error", message: "model: y").isModelNotFound("y"))
    }

    @Test func anUnpricedModelUnderABudgetIsAUsageStop() {
        #expect(JobStopReason.unpriced("my-model").exitCode == 64)
        #expect(JobStopReason.unpriced("my-model").description.contains("--prices"))
    }

    @Test func aMissingModelIsNotedOncePerModel() {
        let missing = MissingModels()
        let notFound = failure(404, type: "not_found_error", message: "model: a")
        #expect(missing.note("a", failure: notFound))
        #expect(!missing.note("a", failure: notFound))
        #expect(missing.note("b", failure: notFound))
        #expect(missing.failure(for: "a") == notFound)
        #expect(missing.failure(for: "c") == nil)
    }
}
