/// Model ids as tables of model families know them.
enum ModelName {
    /// The names to look `model` up by, most specific first: the id itself, then the id without
    /// `-latest` or a snapshot date (`claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`).
    static func lookupNames(_ model: String) -> [String] {
        if model.hasSuffix("-latest") { return [model, String(model.dropLast("-latest".count))] }
        let parts = model.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count > 1, let last = parts.last, last.count == 8, last.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return [model, parts.dropLast().joined(separator: "-")]
        }
        return [model]
    }
}
