import Foundation
import Testing

@testable import Promptline

/// The Message Batches backend's pure parts: poll schedule, batch building, custom_ids, results parsing.
@Suite struct BatchPolicyTests {
    @Test func theFirstPollComesSoonerThenPollsAreAtLeastTheIntervalApartAndBackOff() {
        var schedule = PollSchedule(interval: 60, start: 1000)
        #expect(schedule.nextAt == 1015)
        schedule.polled(at: 1015, changed: true)
        #expect(schedule.nextAt == 1075)
        schedule.polled(at: 1075, changed: false)
        #expect(schedule.nextAt == 1075 + 90)
        var now = schedule.nextAt
        for _ in 0..<20 {
            let before = now
            schedule.polled(at: now, changed: false)
            now = schedule.nextAt
            #expect(now - before >= 60, "two polls closer than the interval")
        }
        #expect(schedule.gap == 600, "backoff is capped at ten intervals and ten minutes")
        schedule.polled(at: now, changed: true)
        #expect(schedule.gap == 60, "a change brings the gap back to the interval")
        schedule.failed(at: now)
        #expect(schedule.nextAt == now + 60)
    }

    @Test func aTinyIntervalBacksOffToTenIntervals() {
        var schedule = PollSchedule(interval: 0.2, start: 0)
        #expect(schedule.nextAt == 0.05)
        for step in 0..<30 { schedule.polled(at: Double(step), changed: false) }
        #expect(abs(schedule.gap - 2) < 1e-9)
    }

    @Test func customIDsAreTheKeysDigestOrAHashAndMatchTheAPIsPattern() {
        let key = RequestKey(canonicalBytes: Array("x".utf8))
        #expect(BatchBuilder.customID(for: key) == String(key.rawValue.dropFirst(7)))
        let own = BatchBuilder.customID(for: "my own key / with spaces")
        #expect(own.count == 64)
        #expect(own != BatchBuilder.customID(for: "my own key / with spaces!"))
        for id in [BatchBuilder.customID(for: key), own] {
            #expect(id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        }
    }

    private func record(_ text: String) -> RequestRecord {
        let line = #"{"id":"r","prompt":"\#(text)"}"#
        guard
            case .valid(let record) = RecordParser(defaults: RecordDefaults(model: "claude-haiku-4-5"))
                .parse(InputLine(file: "t", number: 1, bytes: Array(line.utf8), tooLong: nil))
        else { fatalError("fixture did not parse") }
        return record
    }

    @Test func theBuilderKeepsToTheCountAndByteLimitsAndWritesTheCreateBodyToAFile() throws {
        var builder = BatchBuilder(maxRequests: 2, maxBytes: 600)
        let first = record("one")
        try builder.add(first, body: first.body, worstCase: 0.25)
        #expect(!builder.isFull)
        #expect(builder.fits(record("two").body))
        #expect(!builder.fits(record(String(repeating: "x", count: 600)).body), "a record past the byte limit fits")
        let early = builder.takeEntries()
        #expect(early.map(\.key) == [first.key])
        #expect(builder.pendingKeys.isEmpty, "entries handed to the store stay in memory")
        try builder.add(record("two"), body: record("two").body, worstCase: 0.5)
        #expect(builder.isFull)
        #expect(builder.count == 2)
        #expect(builder.worstCase == 0.75)
        let entries = early + builder.takeEntries()
        let file = try builder.finish()
        defer { file.remove() }
        let body = try Data(contentsOf: URL(fileURLWithPath: file.path))
        #expect(body.count == builder.bodyBytes - 1, "the byte count the limit is checked against is off")
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let requests = try #require(json["requests"] as? [[String: Any]])
        #expect(requests.map { $0["custom_id"] as? String } == entries.map { $0.customID })
        #expect(requests[0]["params"] as? NSDictionary == (try JSONSerialization.jsonObject(with: Data(first.body)) as? NSDictionary))
    }

    @Test func resultsLinesKeepTheMessageBytesAndSortOutcomes() throws {
        let message =
            #"{"content":[{"text":"hi \"there\"","type":"text"}],"id":"msg_1","model":"claude-haiku-4-5","role":"assistant","stop_reason":"end_turn","stop_sequence":null,"type":"message","usage":{"input_tokens":7,"output_tokens":3}}"#
        let succeeded = try BatchResultParser.parse(
            ArraySlice(#"{"custom_id":"a","result":{"message":\#(message),"type":"succeeded"}}"#.utf8))
        #expect(
            succeeded
                == BatchResultEntry(
                    customID: "a",
                    outcome: .succeeded(message: Array(message.utf8), model: "claude-haiku-4-5", tokens: TokenCount(input: 7, output: 3))))
        let error = #"{"error":{"message":"bad","type":"invalid_request_error"},"request_id":"req_1","type":"error"}"#
        let invalid = try BatchResultParser.parse(ArraySlice(#" {"result": {"type":"errored","error":\#(error)}, "custom_id":"b"} "#.utf8))
        #expect(
            invalid == BatchResultEntry(customID: "b", outcome: .failed(errorBody: Array(error.utf8), errorType: "invalid_request_error")))
        let overloaded = #"{"error":{"message":"o","type":"overloaded_error"},"request_id":null,"type":"error"}"#
        #expect(
            try BatchResultParser.parse(ArraySlice(#"{"custom_id":"c","result":{"type":"errored","error":\#(overloaded)}}"#.utf8)).outcome
                == .retry(type: "overloaded_error"))
        #expect(
            try BatchResultParser.parse(ArraySlice(#"{"custom_id":"d","result":{"type":"expired"}}"#.utf8)).outcome
                == .retry(type: "expired"))
        #expect(
            try BatchResultParser.parse(ArraySlice(#"{"custom_id":"e","result":{"type":"canceled"}}"#.utf8)).outcome
                == .retry(type: "canceled"))
        #expect(throws: BatchResultParser.Failure.self) {
            try BatchResultParser.parse(ArraySlice(#"{"custom_id":"f","result":{"type":"succ"#.utf8))
        }
        #expect(throws: BatchResultParser.Failure.self) { try BatchResultParser.parse(ArraySlice("[1,2]".utf8)) }
    }

    @Test func timestampsWithZOrAnOffsetAndAnyFractionAreRead() {
        #expect(RFC3339.parse("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.parse("2024-09-24T18:37:24.100435Z") == 1_727_203_044.100435)
        #expect(RFC3339.parse("2026-06-02T15:03:37.719714+00:00") == RFC3339.parse("2026-06-02T15:03:37.719714Z"))
        #expect(RFC3339.parse("2026-06-02T17:03:37+02:00") == RFC3339.parse("2026-06-02T15:03:37Z"))
        #expect(RFC3339.parse("yesterday") == nil)
    }

    @Test func theBatchPriceIsHalfTheListPrice() {
        let list = PriceTable.builtIn.cost(model: "claude-sonnet-4-5", inputTokens: 1_000_000, outputTokens: 1_000_000)
        #expect(list == 18)
        #expect(PriceTable.builtIn.batchPriced().cost(model: "claude-sonnet-4-5", inputTokens: 1_000_000, outputTokens: 1_000_000) == 9)
    }
}
