// promptline's microbenchmarks, through the public API of its libraries: the JSON parser against
// Foundation's JSONDecoder, the request key, a record from its line, and the gzip line reader. Each iteration takes 1,000 inputs
// (`scalingFactor: .kilo`), so the figures read per input line, response body or record.
// Run with `make bench`, or `swift package --package-path Benchmarks benchmark` (release build).
import Benchmark
import Crypto
import Foundation
import Promptline
import PromptlineJSON

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        // No CPU time: getrusage's 10 ms ticks say nothing of a microsecond.
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1000
    )

    Benchmark("Input line → JSONValue: JSONParser") { benchmark in
        let lines = Inputs.lines
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(try! lines[index].withUnsafeBufferPointer { line throws(InvalidJSONError) in try JSONParser.parse(line) })
        }
    }

    Benchmark("Input line → JSONValue: Foundation JSONDecoder") { benchmark in
        let lines = Inputs.lines.map { Data($0) }
        let decoder = JSONDecoder()
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(try! decoder.decode(JSONValue.self, from: lines[index]))
        }
    }

    // What MessageResponse.parse reads its fields from.
    Benchmark("Response body → JSONValue: JSONParser") { benchmark in
        let bodies = Inputs.responseBodies
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(try! bodies[index].withUnsafeBufferPointer { body throws(InvalidJSONError) in try JSONParser.parse(body) })
        }
    }

    Benchmark("Response body → the fields read: Foundation JSONDecoder") { benchmark in
        let bodies = Inputs.responseBodies.map { Data($0) }
        let decoder = JSONDecoder()
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(try! decoder.decode(ResponseFields.self, from: bodies[index]))
        }
    }

    // RequestKey(body:) but for its 64 hex digits.
    Benchmark("Request key of a body: JCS + SHA-256") { benchmark in
        let bodies = Inputs.bodies
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(SHA256.hash(data: Canonicalizer.canonicalBytes(bodies[index])))
        }
    }

    Benchmark("Input line → record with its key: RecordParser") { benchmark in
        let lines = Inputs.inputLines
        let parser = RecordParser(defaults: Inputs.defaults)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(parser.parse(lines[index]))
        }
    }

    // One iteration opens the file and reads its 1,000 lines: the open is part of the figure.
    Benchmark(
        "Gzip JSONL file → lines: LineReader",
        configuration: .init(setup: Inputs.writeGzipFile, teardown: Inputs.removeGzipFile)
    ) { benchmark in
        var reader = try! LineReader(path: Inputs.gzipFile.path, maxLineBytes: 1 << 20)
        var count = 0
        while let line = try! reader.next() {
            blackHole(line)
            count += 1
        }
        precondition(count == benchmark.scaledIterations.count, "read \(count) lines")
    }
}
