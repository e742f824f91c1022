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
        let priceTable: PriceTable
        do {
            priceTable = try PriceTable.loading(overrides: prices)
        } catch {
            printError("promptline: \(prices ?? ""): not a price table: \(error)")
            throw ExitCode(.usage)
        }
        let report = try await exitingOnError {
            try await StatusReport.make(store: try Store(path: path), storePath: path, output: output, prices: priceTable)
        }
        if json {
            print(String(decoding: try prettyJSON(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }
}
