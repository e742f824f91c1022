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

    func run() async throws {
        let paths = db.isEmpty ? [resolveDatabase(nil)] : db
        let result = try await exitingOnError {
            let stores = try paths.map { path throws(StoreError) in try Store(path: path) }
            let exporter = Exporter(
                stores: stores, inputs: inputs,
                defaults: records.defaults, maxLineBytes: records.maxLineBytes)
            return try await exporter.export(to: output)
        }
        for fault in result.faults { printError("promptline: \(fault)") }
        if !result.faults.isEmpty { throw ExitCode(.unusableInput) }
        if result.missing > 0 {
            printError("promptline: \(result.missing) of \(result.records) records have no answer in the store; run the job (or the missing shards) first; nothing written")
            throw ExitCode(.stoppedEarly)
        }
        printError("promptline: exported \(result.records) records to \(output)")
        if result.errored + result.invalid > 0 { throw ExitCode(.someRecordsFailed) }
    }
}
