import PromptlineJSON

extension RequestRecord {
    /// True when the request asks for a JSON answer: `output_config.format` (from the record or
    /// `--output-schema`) or the beta `output_format`.
    var asksForJSON: Bool {
        if case .object? = params["output_config"]?["format"] { return true }
        if case .object? = params["output_format"] { return true }
        return false
    }

    /// The same request with `max_tokens` raised to `maxTokens`: a new request with its own key.
    ///
    /// The key is that of the new body; a record with its own `idempotency_key` gets that key
    /// with `+max_tokens=N` appended, so its intentional repeats stay apart.
    func raisingMaxTokens(to maxTokens: Int) -> RequestRecord {
        guard case .object(var object) = params else { return self }
        object["max_tokens"] = .number(Double(maxTokens))
        let (canonical, ranges) = Canonicalizer.canonicalBytes(object: object, locating: ["messages", "system"])
        let ownKey = key == RequestKey(canonicalBytes: body)
        return RequestRecord(
            customID: customID, key: ownKey ? RequestKey(canonicalBytes: canonical) : RequestKey(text: "\(key)+max_tokens=\(maxTokens)"),
            model: model, params: .object(object), body: canonical, file: file, line: line, metadata: metadata,
            messagesRange: ranges[0], systemRange: ranges[1])
    }
}
