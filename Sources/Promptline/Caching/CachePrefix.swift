import Crypto
import PromptlineJSON

/// The part of a record's request that other records may share, and where promptline can put a
/// cache breakpoint without changing what the request asks.
///
/// Two places, at most: the end of the instructions (the system prompt, or the last tool when
/// there is no system prompt; tools come first in the prompt, so either covers the tools), and the
/// end of the conversation before the last message (few-shot turns). Each is a ``Level``: the
/// prefix that ends there, named by the SHA-256 of its canonical JSON, so records that share it
/// find each other without the input being buffered. Only levels at least the model's minimum
/// cacheable length are kept.
struct CachePrefix: Sendable, Equatable {
    /// The identity of a prefix: the same for every record that shares it, whatever the key order
    /// or spelling of its JSON.
    struct ID: Hashable, Sendable, CustomStringConvertible {
        let digest: [UInt8]

        var description: String { digest.prefix(6).map { String($0, radix: 16) }.joined() }
    }

    /// The block that gets a breakpoint.
    enum Anchor: Sendable, Equatable {
        /// The last system block (a string system prompt becomes one text block, which the API treats the same).
        case system
        /// The last tool definition (when there is no system prompt).
        case lastTool
        /// The last content block of `messages[index]`.
        case message(Int)
    }

    /// One place a breakpoint can go, and the prefix that ends there.
    struct Level: Sendable, Equatable {
        let id: ID
        let anchor: Anchor
        /// Estimated tokens of the prefix (``TokenEstimate`` over its canonical bytes).
        let tokens: Int
        /// Bytes of the prefix's canonical JSON: what a cache read takes off the input-token charge.
        let bytes: Int
    }

    /// The levels at least the minimum length, shallowest first (one or two).
    let levels: [Level]

    /// Content block types a breakpoint may be put on (thinking blocks may not carry one).
    static let cacheableBlockTypes: Set<String> = ["text", "image", "document", "tool_use", "tool_result", "search_result"]

    /// The shareable prefix of `params` (a Messages API body), nil when no level reaches `minimumTokens`.
    init?(params: JSONValue, minimumTokens: Int) {
        guard case .object(let body) = params else { return nil }
        var levels: [Level] = []
        var instructions: [String: JSONValue] = [:]
        var instructionsAnchor: Anchor?
        if let tools = body["tools"], case .array(let list) = tools, !list.isEmpty {
            instructions["tools"] = tools
            if case .object? = list.last { instructionsAnchor = .lastTool }
        }
        if let system = body["system"] {
            switch system {
            case .string(let text) where !text.isEmpty:
                instructions["system"] = system
                instructionsAnchor = .system
            case .array(let blocks) where !blocks.isEmpty:
                instructions["system"] = system
                if case .object? = blocks.last { instructionsAnchor = .system } else { instructionsAnchor = nil }
            default:
                break
            }
        }
        if let anchor = instructionsAnchor, let level = Self.level(of: instructions, anchor: anchor, minimumTokens: minimumTokens) {
            levels.append(level)
        }
        if case .array(let messages)? = body["messages"], messages.count >= 2, Self.canAnchor(messages[messages.count - 2]) {
            var conversation = instructions
            conversation["messages"] = .array(Array(messages.dropLast()))
            // Changing these invalidates a cached conversation (the API's cache invalidation table).
            conversation["tool_choice"] = body["tool_choice"]
            conversation["thinking"] = body["thinking"]
            if let level = Self.level(of: conversation, anchor: .message(messages.count - 2), minimumTokens: minimumTokens) {
                levels.append(level)
            }
        }
        guard !levels.isEmpty else { return nil }
        self.levels = levels
    }

    private static func level(of members: [String: JSONValue], anchor: Anchor, minimumTokens: Int) -> Level? {
        let bytes = Canonicalizer.canonicalBytes(.object(members))
        let tokens = TokenEstimate.inputTokens(bodyBytes: bytes.count)
        guard tokens >= minimumTokens else { return nil }
        return Level(id: ID(digest: Array(SHA256.hash(data: bytes))), anchor: anchor, tokens: tokens, bytes: bytes.count)
    }

    /// Whether a message's last content block can carry a breakpoint.
    private static func canAnchor(_ message: JSONValue) -> Bool {
        switch message["content"] {
        case .string(let text)?: return !text.isEmpty
        case .array(let blocks)?:
            guard case .object(let block)? = blocks.last, let type = block["type"]?.stringValue else { return false }
            return cacheableBlockTypes.contains(type)
        default: return false
        }
    }

    /// The prefix promptline may mark in `record` under `mode`, nil when it leaves the record as
    /// written: caching is off, the model's minimum cacheable length is unknown or not reached,
    /// or the record sets `cache_control` itself (the user's choice wins).
    static func automatic(in record: RequestRecord, mode: PromptCacheMode) -> CachePrefix? {
        // The size first: a record too short for any model's cache (most records) costs one comparison.
        let tokens = TokenEstimate.inputTokens(bodyBytes: record.body.count)
        guard mode == .auto, tokens >= CacheMinimum.smallest, let minimum = CacheMinimum.tokens(for: record.model), tokens >= minimum,
            !hasCacheControl(record.body)
        else { return nil }
        return CachePrefix(params: record.params, minimumTokens: minimum)
    }

    /// Whether a canonical request body sets `cache_control` anywhere (the user's own caching,
    /// which promptline never touches). In canonical JSON a quote inside a string is escaped, so
    /// the bytes `"cache_control":` can only be a member name.
    static func hasCacheControl(_ body: [UInt8]) -> Bool {
        body.firstRange(of: Self.cacheControlName) != nil
    }

    private static let cacheControlName = Array(#""cache_control":"#.utf8)

    /// `params` with a breakpoint (`control`) on each anchor's block.
    static func marking(_ params: JSONValue, at anchors: [Anchor], control: JSONValue) -> JSONValue {
        guard case .object(var body) = params else { return params }
        for anchor in anchors {
            switch anchor {
            case .system:
                body["system"] = marked(blocks: body["system"], control: control)
            case .lastTool:
                if case .array(var tools)? = body["tools"], let last = tools.indices.last, case .object(var tool) = tools[last] {
                    tool["cache_control"] = control
                    tools[last] = .object(tool)
                    body["tools"] = .array(tools)
                }
            case .message(let index):
                if case .array(var messages)? = body["messages"], messages.indices.contains(index),
                    case .object(var message) = messages[index]
                {
                    message["content"] = marked(blocks: message["content"], control: control)
                    messages[index] = .object(message)
                    body["messages"] = .array(messages)
                }
            }
        }
        return .object(body)
    }

    /// A string made one text block, or a block list, with `control` on its last block.
    private static func marked(blocks value: JSONValue?, control: JSONValue) -> JSONValue? {
        switch value {
        case .string(let text)?:
            return .array([.object(["type": .string("text"), "text": .string(text), "cache_control": control])])
        case .array(var blocks)?:
            guard let last = blocks.indices.last, case .object(var block) = blocks[last] else { return value }
            block["cache_control"] = control
            blocks[last] = .object(block)
            return .array(blocks)
        default:
            return value
        }
    }
}
