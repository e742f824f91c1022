import ArgumentParser
import Foundation
import Promptline

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What the store and a job hold: records by state, failures, tokens, last run, whether an output is complete."
    )

    @Option(help: "Checkpoint store (default $PROMPTLINE_DB, else .promptline/state.db).")
    var db: String?

    @Option(help: "A job's output path: say whether it is complete.")
    var output: String?

    @Option(help: "JSON file of prices per million tokens over the built-in table (as for run).")
    var prices: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let path = resolveDatabase(db)
        guard FileManager.default.fileExists(atPath: path) else {
            printError("promptline: no store at \(path) (give --db or set PROMPTLINE_DB)")
            throw ExitCode(.noInput)
        }
        let report: StatusReport
        do {
            let store = try Store(path: path)
            report = try await StatusReport.make(store: store, storePath: path, output: output, prices: try PriceTable.loading(overrides: prices))
        } catch {
            printError("promptline: \(error)")
            throw ExitCode(.cannotWrite)
        }
        if json {
            print(String(decoding: try prettyJSON(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }
}
