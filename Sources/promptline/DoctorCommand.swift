import ArgumentParser
import Foundation
import Promptline

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Health check: key present, base URL reachable, authentication valid, models listed, latency, rate-limit headers.",
        discussion:
            "Exit 0 only when a run could start; 77 for a missing or refused key; 75 when the API is unreachable; 1 when a model is not listed."
    )

    @Option(help: "A model a run would use (repeatable): it must be listed by GET /v1/models.")
    var model: [String] = []

    @Option(help: "Seconds to wait for the API.")
    var timeout: Double = 10

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let api = APIConfiguration.fromEnvironment()
        let timeout = Duration(optionSeconds: timeout)
        let client = MessagesClient(configuration: api, concurrency: 1, connectTimeout: timeout, logger: makeLogger())
        let report = await Doctor(configuration: api, client: client).check(models: model, timeout: timeout)
        await client.shutdown()
        if json {
            print(String(decoding: try prettyJSON(report), as: UTF8.self))
        } else {
            print(report.text)
        }
        if report.exitCode != .success { throw ExitCode(report.exitCode) }
    }
}
