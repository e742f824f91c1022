import PromptlineJSON

@testable import PromptlineSim

/// Request bodies for the prompt-cache tests, parsed as the server parses them.
enum CacheRequests {
    /// A text of `count` ASCII characters (no escapes, so its JSON is `count` + 2 bytes).
    static func text(_ count: Int, _ letter: Character = "s") -> String {
        String(repeating: letter, count: count)
    }

    /// The canonical bytes of a text block holding `count` plain characters: `{"text":"…","type":"text"}`.
    static func textBlockBytes(_ count: Int) -> Int {
        count + #"{"text":"","type":"text"}"#.utf8.count
    }

    /// A body with a system prompt of `systemCharacters` characters carrying a breakpoint
    /// (`ttl` when given) and one user question.
    static func systemCached(
        model: String = "claude-sonnet-4-5", systemCharacters: Int, ttl: String? = nil, question: String = "q"
    ) -> JSONValue {
        let control = ttl.map { #"{"type":"ephemeral","ttl":"\#($0)"}"# } ?? #"{"type":"ephemeral"}"#
        return parse(
            #"{"model":"\#(model)","max_tokens":10,"system":[{"type":"text","text":"\#(text(systemCharacters))","cache_control":\#(control)}],"messages":[{"role":"user","content":"\#(question)"}]}"#
        )
    }

    /// A body of `turns` alternating user/assistant string messages (the last one a user's), each
    /// `characters` long, with a top-level `cache_control` (the breakpoint on the last block).
    static func conversation(model: String = "claude-sonnet-4-5", turns: Int, characters: Int) -> JSONValue {
        let messages = (0..<turns).map { index in
            #"{"role":"\#(index % 2 == 0 ? "user" : "assistant")","content":"\#(text(characters, index % 2 == 0 ? "u" : "a"))"}"#
        }
        return parse(
            #"{"model":"\#(model)","max_tokens":10,"cache_control":{"type":"ephemeral"},"messages":[\#(messages.joined(separator: ","))]}"#)
    }

    static func parse(_ json: String) -> JSONValue {
        JSONValue.requestBody(Array(json.utf8))!
    }

    /// The analysed prompt of `request` (which must ask for caching and be valid).
    static func prompt(_ request: JSONValue, model: String = "claude-sonnet-4-5-20250929") -> SimCachePrompt {
        try! SimCachePrompt.analyze(request, model: model).get()!
    }

    /// The error message the analysis gives `request`, if any.
    static func refusal(_ json: String) -> String? {
        guard case .failure(let error) = SimCachePrompt.analyze(parse(json), model: "claude-sonnet-4-5-20250929") else { return nil }
        return error.status == 400 && error.type == "invalid_request_error" ? error.message : "status \(error.status)"
    }
}
