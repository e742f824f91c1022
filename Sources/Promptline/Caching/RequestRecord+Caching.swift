import PromptlineJSON

extension RequestRecord {
    /// The body to send on `model` with a cache breakpoint on each of `anchors`. The record's key
    /// stays that of the request as the user wrote it (SPEC §3): breakpoints promptline adds change
    /// what is billed, not what is answered.
    func body(for model: String, marking anchors: [CachePrefix.Anchor], lifetime: CacheLifetime) -> [UInt8] {
        guard !anchors.isEmpty else { return body(for: model) }
        var params = CachePrefix.marking(self.params, at: anchors, control: lifetime.control)
        if model != self.model, case .object(var object) = params {
            object["model"] = .string(model)
            params = .object(object)
        }
        return Canonicalizer.canonicalBytes(params)
    }
}
