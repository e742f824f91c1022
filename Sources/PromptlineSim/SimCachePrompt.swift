import Crypto
import PromptlineJSON

/// A request's prompt as the prompt cache sees it (API-NOTES §11): its breakpoints, and the
/// prefixes a lookup checks.
///
/// The prompt is the ordered sequence of blocks: each tool, then the system prompt (a string is
/// one text block, an array its blocks), then each message's content blocks (a string content is
/// one text block). A breakpoint is a `cache_control` on one of them; a top-level `cache_control`
/// puts one on the last block. A prefix is the blocks up to and including one block:
/// - its key is SHA-256 of the model id and, per block, where it sits (tool, system, or message
///   index and role) and its canonical JSON with `cache_control` removed, so a prefix written with
///   a breakpoint on its last block matches one read with the breakpoint further on;
/// - its size in tokens is the sum of its blocks' canonical JSON bytes (`cache_control` removed)
///   divided by 4, so the same prefix has the same size wherever the breakpoints are.
struct SimCachePrompt: Sendable, Equatable {
    /// The blocks up to and including `block`.
    struct Prefix: Sendable, Equatable {
        /// The 0-based index of its last block in the prompt.
        var block: Int
        var key: SimCacheKey
        var tokens: Int
    }

    /// A breakpoint: the prefix it ends and the lifetime it asks for.
    struct Breakpoint: Sendable, Equatable {
        var prefix: Prefix
        var ttl: SimCacheTTL
    }

    /// Most breakpoints in one request, as the API.
    static let maxBreakpoints = 4
    /// How many blocks before the last breakpoint a lookup also checks ("up to 20 blocks" in the docs).
    static let lookback = 20

    /// The breakpoints, in prompt order.
    let breakpoints: [Breakpoint]
    /// The prefixes a lookup checks, longest first: the last breakpoint's, those ending at each of
    /// the 20 blocks before it, and every earlier breakpoint's.
    let candidates: [Prefix]
    /// The model's minimum cacheable prefix (``SimCacheMinimum``).
    let minimumTokens: Int

    /// Whether any block, or the request itself, carries `cache_control`: dictionary look-ups only,
    /// so a request without caching pays no more than this.
    static func hasCacheControl(_ request: JSONValue) -> Bool {
        guard case .object(let fields) = request else { return false }
        func marked(_ blocks: JSONValue?) -> Bool {
            blocks?.arrayValue?.contains { control(of: $0) != nil } ?? false
        }
        if control(of: request) != nil || marked(fields["tools"]) || marked(fields["system"]) { return true }
        return fields["messages"]?.arrayValue?.contains { marked($0["content"]) } ?? false
    }

    /// The prompt of `request` (already checked as a Messages body) sent to `model` (the dated id),
    /// nil when it asks for no caching, or the 400 the API gives for its `cache_control`s: more than
    /// 4, a `type` other than `ephemeral`, a `ttl` other than `5m`/`1h`, a 1-hour breakpoint after a
    /// 5-minute one.
    static func analyze(_ request: JSONValue, model: String) -> Result<SimCachePrompt?, SimAPIError> {
        guard hasCacheControl(request) else { return .success(nil) }
        let blocks = Self.blocks(of: request)
        var marks: [(block: Int, ttl: SimCacheTTL)] = []
        for (index, block) in blocks.enumerated() {
            guard let control = control(of: block.value) else { continue }
            switch Self.ttl(of: control, at: block.path + ".cache_control") {
            case .failure(let error): return .failure(error)
            case .success(let ttl): marks.append((index, ttl))
            }
        }
        if let control = control(of: request) {
            let ttl: SimCacheTTL
            switch Self.ttl(of: control, at: "cache_control") {
            case .failure(let error): return .failure(error)
            case .success(let value): ttl = value
            }
            if let last = blocks.indices.last {
                if marks.last?.block == last {
                    // Already a breakpoint: the automatic one is the same one, unless it asks otherwise.
                    guard marks.last?.ttl == ttl else {
                        return .failure(
                            .invalidRequest(
                                "cache_control: the last block already has a cache_control with another ttl"))
                    }
                } else {
                    marks.append((last, ttl))
                }
            }
        }
        guard marks.count <= maxBreakpoints else {
            return .failure(
                .invalidRequest(
                    "A maximum of \(maxBreakpoints) blocks with cache_control may be provided. Found \(marks.count)."))
        }
        if let shortFirst = marks.firstIndex(where: { $0.ttl == .fiveMinutes }),
            let late = marks[shortFirst...].first(where: { $0.ttl == .oneHour })
        {
            return .failure(
                .invalidRequest(
                    "\(blocks[late.block].path).cache_control.ttl: a breakpoint with ttl '1h' cannot come after one with ttl '5m' (a longer TTL must come before a shorter one)"
                ))
        }
        guard let last = marks.last?.block else { return .success(nil) }

        var wanted = Set(max(0, last - lookback)...last)
        for mark in marks { wanted.insert(mark.block) }
        var prefixes: [Int: Prefix] = [:]
        var hasher = SHA256()
        hasher.update(data: Array(model.utf8) + [0])
        var bytes = 0
        for index in 0...last {
            var block = blocks[index].value
            if case .object(var members) = block {
                members.removeValue(forKey: "cache_control")
                block = .object(members)
            }
            let canonical = Canonicalizer.canonicalBytes(block)
            // NUL separates the fields: canonical JSON never holds one (controls are escaped).
            hasher.update(data: Array(blocks[index].position.utf8) + [0])
            hasher.update(data: canonical + [0])
            bytes += canonical.count
            if wanted.contains(index) {
                // `finalize()` leaves the hasher as it was: the next blocks extend the same hash.
                prefixes[index] = Prefix(block: index, key: SimCacheKey(hasher.finalize()), tokens: bytes / 4)
            }
        }
        return .success(
            SimCachePrompt(
                breakpoints: marks.map { Breakpoint(prefix: prefixes[$0.block]!, ttl: $0.ttl) },
                candidates: wanted.sorted(by: >).map { prefixes[$0]! },
                minimumTokens: SimCacheMinimum.tokens(for: model)))
    }

    /// The prompt's blocks in order, each with its position (hashed into the keys) and its path
    /// (named in error messages).
    private static func blocks(of request: JSONValue) -> [(position: String, path: String, value: JSONValue)] {
        var blocks: [(position: String, path: String, value: JSONValue)] = []
        for (index, tool) in (request["tools"]?.arrayValue ?? []).enumerated() {
            blocks.append(("tool", "tools.\(index)", tool))
        }
        switch request["system"] {
        case .string(let text)?:
            blocks.append(("system", "system", textBlock(text)))
        case .array(let items)?:
            for (index, item) in items.enumerated() { blocks.append(("system", "system.\(index)", item)) }
        default:
            break
        }
        for (number, message) in (request["messages"]?.arrayValue ?? []).enumerated() {
            let position = "message \(number) \(message["role"]?.stringValue ?? "")"
            switch message["content"] {
            case .string(let text)?:
                blocks.append((position, "messages.\(number).content", textBlock(text)))
            case .array(let items)?:
                for (index, item) in items.enumerated() {
                    blocks.append((position, "messages.\(number).content.\(index)", item))
                }
            default:
                break
            }
        }
        return blocks
    }

    /// The `cache_control` member of a block or request, if present and not null (an explicit
    /// null asks for nothing, as an absent field).
    private static func control(of value: JSONValue) -> JSONValue? {
        guard let control = value["cache_control"], control != .null else { return nil }
        return control
    }

    /// A string prompt or content as the one text block it stands for.
    private static func textBlock(_ text: String) -> JSONValue {
        .object(["type": .string("text"), "text": .string(text)])
    }

    /// The lifetime a `cache_control` object asks for, or the API's 400 for a bad one.
    private static func ttl(of control: JSONValue, at path: String) -> Result<SimCacheTTL, SimAPIError> {
        guard control["type"]?.stringValue == "ephemeral" else {
            return .failure(.invalidRequest("\(path).type: Input should be 'ephemeral'"))
        }
        guard let ttl = control["ttl"] else { return .success(.fiveMinutes) }
        guard let value = ttl.stringValue.flatMap(SimCacheTTL.init(rawValue:)) else {
            return .failure(.invalidRequest("\(path).ttl: Input should be '5m' or '1h'"))
        }
        return .success(value)
    }
}
