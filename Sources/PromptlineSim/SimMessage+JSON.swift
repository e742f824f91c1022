import PromptlineJSON

extension SimMessage {
    /// The body as the simulator sends it: compact JSON with keys sorted, the bytes
    /// `JSONEncoder` with `.sortedKeys` wrote, written directly at a fraction of its CPU (a
    /// success is most of what the simulator answers). Not through a `JSONValue` and
    /// `Canonicalizer.canonicalBytes`: building and sorting the dictionaries cost some 15 µs a request more
    /// (`promptline-sim` CPU, 5 interleaved runs each).
    var jsonBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320 + content.reduce(0) { $0 + $1.text.utf8.count })
        func key(_ name: String) {
            Canonicalizer.appendString(name, to: &out)
            out.append(UInt8(ascii: ":"))
        }
        func string(_ name: String, _ value: String) {
            key(name)
            Canonicalizer.appendString(value, to: &out)
            out.append(UInt8(ascii: ","))
        }
        func integer(_ name: String, _ value: Int, last: Bool = false) {
            key(name)
            out.append(contentsOf: String(value).utf8)
            if !last { out.append(UInt8(ascii: ",")) }
        }
        out.append(contentsOf: #"{"content":["#.utf8)
        for (index, block) in content.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            string("text", block.text)
            key("type")
            Canonicalizer.appendString(block.type, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "],".utf8)
        string("id", id)
        string("model", model)
        string("role", role)
        if let stopDetails {
            key("stop_details")
            out.append(contentsOf: Canonicalizer.canonicalBytes(stopDetails))
            out.append(UInt8(ascii: ","))
        }
        string("stop_reason", stopReason)
        key("stop_sequence")
        if let stopSequence {
            Canonicalizer.appendString(stopSequence, to: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(UInt8(ascii: ","))
        string("type", type)
        key("usage")
        out.append(contentsOf: #"{"cache_creation":{"#.utf8)
        integer("ephemeral_1h_input_tokens", usage.cacheCreation.ephemeral1hInputTokens)
        integer("ephemeral_5m_input_tokens", usage.cacheCreation.ephemeral5mInputTokens, last: true)
        out.append(contentsOf: "},".utf8)
        integer("cache_creation_input_tokens", usage.cacheCreationInputTokens)
        integer("cache_read_input_tokens", usage.cacheReadInputTokens)
        integer("input_tokens", usage.inputTokens)
        integer("output_tokens", usage.outputTokens, last: true)
        out.append(contentsOf: "}}".utf8)
        return out
    }
}
