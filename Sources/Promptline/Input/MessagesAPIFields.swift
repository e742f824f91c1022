/// The top-level fields of a Messages API request body: the only fields promptline sends.
///
/// The API refuses any other top-level field (`400 invalid_request_error: "<field>: Extra inputs
/// are not permitted"`), so a record's other fields — the user's own columns — are kept apart as
/// the output line's `metadata` and never sent or hashed (SPEC §2, §5). This is the one list.
enum MessagesAPIFields {
    /// The body fields promptline sends when a simple-shape or bare record sets them.
    static let sent: Set<String> = [
        "model", "messages", "max_tokens", "system", "temperature", "top_p", "top_k", "stop_sequences", "metadata",
        "tools", "tool_choice", "thinking", "service_tier", "container", "mcp_servers", "context_management",
        "output_config", "output_format", "inference_geo", "cache_control",
    ]

    /// Body fields the API knows but promptline drops (it never streams).
    static let dropped: Set<String> = ["stream"]
}
