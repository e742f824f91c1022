import Foundation
import Testing

@testable import PromptlineSim

/// A success body written directly is byte for byte what `JSONEncoder` (sorted keys) wrote.
@Suite struct SimMessageJSONTests {
    static let messages: [SimMessage] = {
        var plain = SimMessage(
            id: "msg_sim_1", model: "claude-haiku-4-5-20251001", text: "Simulated answer 0a1b: hi", inputTokens: 12, outputTokens: 7)
        var quoted = SimMessage(id: "msg_sim_2", model: "m", text: "a \"q\" \\ b\nc\r\td / é 😀 \u{01}", inputTokens: 1, outputTokens: 1)
        quoted.stopReason = "max_tokens"
        quoted.stopSequence = "END"
        var cached = plain
        cached.usage.cacheReadInputTokens = 30
        cached.usage.cacheCreationInputTokens = 9
        cached.usage.cacheCreation.ephemeral1hInputTokens = 9
        plain.content.append(.init(text: ""))
        return [plain, quoted, cached]
    }()

    @Test(arguments: messages)
    func theBodyIsWhatJSONEncoderWrote(message: SimMessage) {
        #expect(String(decoding: message.jsonBytes, as: UTF8.self) == String(decoding: SimServer.encode(message), as: UTF8.self))
    }
}
