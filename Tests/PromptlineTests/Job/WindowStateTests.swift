import Testing

@testable import Promptline

@Suite struct WindowStateTests {
    private func record(_ id: String, key: String) -> ParsedRecord {
        .valid(
            RequestRecord(
                customID: id, key: key, model: "m", params: .object([:]), body: [], file: "f", line: 1))
    }

    private let answer = StoredAnswer(
        state: .succeeded, result: Array("{}".utf8), servedBy: Array("{}".utf8), tier: .primary, model: "m",
        errorType: nil, inputTokens: 1, outputTokens: 1, attempts: 1)

    private func ids(_ lines: [[UInt8]]) -> [String] {
        lines.map { line in
            let text = String(decoding: line, as: UTF8.self)
            return String(text.split(separator: "\"")[3])
        }
    }

    @Test func linesLeaveInInputOrderWhateverOrderAnswersArrive() {
        var window = WindowState(skip: 0)
        #expect(
            window.admit(record("a", key: "ka"), stored: [:])
                == .send(RequestRecord(customID: "a", key: "ka", model: "m", params: .null, body: [], file: "", line: 0)))
        _ = window.admit(record("b", key: "kb"), stored: [:])
        window.answer(key: "kb", with: answer)
        #expect(window.takeReady().isEmpty)
        window.answer(key: "ka", with: answer)
        #expect(ids(window.takeReady()) == ["a", "b"])
        #expect(window.written == 2)
    }

    @Test func aKeyRepeatedInTheInputIsSentOnceAndWrittenTwice() {
        var window = WindowState(skip: 0)
        guard case .send = window.admit(record("a", key: "k"), stored: [:]) else { Issue.record("not sent"); return }
        #expect(window.admit(record("a-again", key: "k"), stored: [:]) == .none)
        window.answer(key: "k", with: answer)
        #expect(ids(window.takeReady()) == ["a", "a-again"])
        #expect(window.results == [.succeeded: 2])
    }

    @Test func storedAnswersAreWrittenWithoutSendingAndCountAsReused() {
        var window = WindowState(skip: 0)
        #expect(window.admit(record("a", key: "k"), stored: ["k": answer]) == .none)
        #expect(ids(window.takeReady()) == ["a"])
        #expect(window.reused == 1)
    }

    @Test func recordsAlreadyInThePartialOutputAreCountedButNotWrittenAgain() {
        var window = WindowState(skip: 2)
        _ = window.admit(record("a", key: "ka"), stored: ["ka": answer])
        _ = window.admit(.invalid(InvalidRecord(customID: "line-2", file: "f", line: 2, message: "bad")), stored: [:])
        _ = window.admit(record("c", key: "kc"), stored: ["kc": answer])
        #expect(ids(window.takeReady()) == ["c"])
        #expect(window.written == 3)
        #expect(window.results == [.succeeded: 2, .invalid: 1])
    }

    @Test func invalidLinesWarnAndTakeTheirPlaceInOrder() {
        var window = WindowState(skip: 0)
        _ = window.admit(record("a", key: "ka"), stored: [:])
        let warning = window.admit(
            .invalid(InvalidRecord(customID: "line-2", file: "p.jsonl", line: 2, message: "invalid JSON: x")), stored: [:])
        #expect(warning == .warn("p.jsonl:2: invalid JSON: x"))
        #expect(window.takeReady().isEmpty)
        window.answer(key: "ka", with: answer)
        #expect(ids(window.takeReady()) == ["a", "line-2"])
    }

    @Test func theWindowFillsWhenTheHeadIsUnanswered() {
        var window = WindowState(skip: 0, capacity: 3)
        for index in 0..<3 { _ = window.admit(record("r\(index)", key: "k\(index)"), stored: [:]) }
        #expect(window.isWindowFull)
        window.answer(key: "k0", with: answer)
        _ = window.takeReady()
        #expect(!window.isWindowFull)
    }

    @Test func aLongRunKeepsInOrderAcrossCompaction() {
        var window = WindowState(skip: 0, capacity: 64)
        var written: [String] = []
        for index in 0..<5000 {
            _ = window.admit(record("r\(index)", key: "k\(index)"), stored: [:])
            if index % 2 == 1 {
                window.answer(key: "k\(index)", with: answer)
                window.answer(key: "k\(index - 1)", with: answer)
            }
            written += ids(window.takeReady())
        }
        #expect(written == (0..<5000).map { "r\($0)" })
    }
}
