import ArgumentParser
import Foundation
import Logging
import Promptline

@main
struct PromptlineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promptline",
        abstract: "Run large offline jobs against the Claude Messages API without losing, repeating or mangling a record.",
        discussion: """
            Configuration follows the official SDKs: ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL \
            (default https://api.anthropic.com). The key is never printed, logged or stored.
            Exit codes: 0 all records succeeded; 1 output complete but some records errored or invalid; \
            64 usage; 65 unusable input; 66 no store; 74 the store or output cannot be used; \
            75 stopped early, resume later; 77 authentication or permission; 130/143 interrupted.
            """,
        version: PromptlineInfo.version,
        subcommands: [RunCommand.self, StatusCommand.self, ExportCommand.self, DoctorCommand.self]
    )
}

/// Prints one line on standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// The store path: `--db`, else `$PROMPTLINE_DB`, else `.promptline/state.db`.
func resolveDatabase(_ option: String?) -> String {
    option ?? ProcessInfo.processInfo.environment["PROMPTLINE_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? ".promptline/state.db"
}

/// A logger on standard error for the library, at warning level unless `PROMPTLINE_LOG_LEVEL` says otherwise.
func makeLogger() -> Logger {
    var logger = Logger(label: "promptline") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = ProcessInfo.processInfo.environment["PROMPTLINE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
    return logger
}

/// A word quoted for a POSIX shell when it needs it.
func shellQuoted(_ word: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
    if !word.isEmpty && word.allSatisfy(safe.contains) { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// A value as pretty, key-sorted JSON.
func prettyJSON(_ value: some Encodable) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    return try encoder.encode(value)
}

/// Writes a value as pretty, key-sorted JSON.
func writeJSON(_ value: some Encodable, to path: String) throws {
    try prettyJSON(value).write(to: URL(fileURLWithPath: path))
}
