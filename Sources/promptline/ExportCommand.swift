import ArgumentParser
import Foundation
import Promptline

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Rebuild a job's output from the store alone (several --db merge shard stores); sends nothing."
    )

    @Option(help: "A checkpoint store to read (repeatable: shard stores merge into one output).")
    var db: [String] = []

    @Argument(help: "The job's input files, in the order the job was given them.")
    var inputs: [String]

    @Option(name: [.short, .long], help: "Output path; a .gz suffix means gzip.")
    var output: String

    @OptionGroup(title: "Records (give the values the job ran with)")
    var records: RecordOptions

    @Option(help: "jsonl (the job's output, the default) or csv (a table of --columns).")
    var format: String = "jsonl"

    @Option(
        help: ArgumentHelp(
            "With --format csv: comma-separated dotted paths into the output line, e.g. id,parsed.label,served_by.model (id is the record's id).",
            valueName: "A,B.C,..."))
    var columns: String?

    func validate() throws {
        try records.validate()
        switch format {
        case "jsonl":
            guard columns == nil else { throw ValidationError("--columns goes with --format csv") }
        case "csv":
            guard let columns, CSVWriter.columns(columns) != nil else {
                throw ValidationError("--format csv needs --columns, comma-separated dotted paths such as id,parsed.label")
            }
        default:
            throw ValidationError("--format must be jsonl or csv")
        }
    }

    func run() async throws {
        let paths = db.isEmpty ? [resolveDatabase(nil)] : db
        let defaults = try records.defaults()
        let csv = columns.flatMap(CSVWriter.columns).map(CSVWriter.init(columns:))
        let result = try await exitingOnError {
            let stores = try paths.map { path throws(StoreError) in try Store(path: path) }
            let exporter = Exporter(
                stores: stores, inputs: inputs,
                defaults: defaults, maxLineBytes: records.maxLineBytes, csv: csv)
            return try await exporter.export(to: output)
        }
        for fault in result.faults { printError("promptline: \(fault)") }
        if !result.faults.isEmpty { throw ExitCode(.unusableInput) }
        if result.missing > 0 {
            printError(
                "promptline: \(result.missing) of \(result.records) records have no answer in the store; run the job (or the missing shards) first; nothing written"
            )
            throw ExitCode(.stoppedEarly)
        }
        printError("promptline: exported \(result.records) records to \(output)")
        if result.errored + result.invalid + result.unparsed > 0 { throw ExitCode(.someRecordsFailed) }
    }
}
