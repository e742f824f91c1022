/// Facts about this build of promptline.
public enum PromptlineInfo {
    /// The version, sent in the `user-agent` header.
    public static let version = "0.1.0"
}
