import PromptlineJSON

extension MessageResponse {
    /// The response in `bytes` when they hold a Messages API response (`type` `message`, an `id`,
    /// a `model`, `content` blocks each with a `type`, whole-number `usage` tokens), otherwise nil.
    ///
    /// Parsed with ``JSONParser`` (strict RFC 8259, UTF-8 checked) rather than `JSONDecoder`:
    /// the same answer for every body, in a fraction of the CPU (`make bench` measures the parser
    /// against `JSONDecoder` on such bodies).
    static func parse(_ bytes: [UInt8]) -> MessageResponse? {
        guard let value = try? JSONParser.parse(bytes),
            case .object(let members) = value,
            case .string(let id)? = members["id"], case .string(let type)? = members["type"],
            case .string(let model)? = members["model"],
            case .array(let content)? = members["content"], case .object(let usage)? = members["usage"],
            let input = Self.count(usage["input_tokens"]), let output = Self.count(usage["output_tokens"])
        else { return nil }
        var blocks: [Block] = []
        blocks.reserveCapacity(content.count)
        for block in content {
            guard case .string(let blockType)? = block["type"] else { return nil }
            blocks.append(Block(type: blockType))
        }
        var stopReason: String?
        switch members["stop_reason"] {
        case .string(let reason)?: stopReason = reason
        case .null?, nil: stopReason = nil
        default: return nil
        }
        var parsedUsage = Usage(input_tokens: input, output_tokens: output)
        guard Self.optionalCount(usage["cache_creation_input_tokens"], into: &parsedUsage.cache_creation_input_tokens),
            Self.optionalCount(usage["cache_read_input_tokens"], into: &parsedUsage.cache_read_input_tokens)
        else { return nil }
        switch usage["cache_creation"] {
        case .object(let creation)?:
            var lifetimes = Usage.CacheCreation()
            guard Self.optionalCount(creation["ephemeral_5m_input_tokens"], into: &lifetimes.ephemeral_5m_input_tokens),
                Self.optionalCount(creation["ephemeral_1h_input_tokens"], into: &lifetimes.ephemeral_1h_input_tokens)
            else { return nil }
            parsedUsage.cache_creation = lifetimes
        case .null?, nil:
            break
        default:
            return nil
        }
        return MessageResponse(id: id, type: type, model: model, content: blocks, usage: parsedUsage, stop_reason: stopReason)
    }

    /// A token count: a whole number that fits an `Int` (as `JSONDecoder` decodes `Int`).
    private static func count(_ value: JSONValue?) -> Int? {
        guard case .number(let number)? = value, number.rounded() == number, abs(number) < 9.0e15 else { return nil }
        return Int(number)
    }

    /// Reads an optional count into `target`; false when present and not a count (nor null).
    private static func optionalCount(_ value: JSONValue?, into target: inout Int?) -> Bool {
        switch value {
        case nil, .null?: return true
        default:
            guard let count = count(value) else { return false }
            target = count
            return true
        }
    }
}
