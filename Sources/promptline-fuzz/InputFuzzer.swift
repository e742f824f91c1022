import Foundation
import Promptline

/// The fuzz target over the input path: gzip detection and inflation, line splitting and the
/// record parser, fed one input file at a time.
///
/// Built with `-sanitize=fuzzer -D FUZZING` (`make fuzz`), libFuzzer drives
/// `LLVMFuzzerTestOneInput`; built normally, `promptline-fuzz FILE...` replays files (a corpus)
/// through the same checks. A check that fails traps, which libFuzzer reports as a crash.
enum InputFuzzer {
    static let parser = RecordParser(defaults: RecordDefaults(model: "claude-haiku-4-5", maxTokens: 16))
    static let scratch = NSTemporaryDirectory() + "promptline-fuzz-\(getpid()).jsonl"

    /// Reads `bytes` as an input file; every line must become a valid or an invalid record, every
    /// fault must be an error naming the file, and reading must end.
    static func check(_ bytes: UnsafeRawBufferPointer) {
        guard FileManager.default.createFile(atPath: scratch, contents: Data(bytes)) else { fatalError("cannot write \(scratch)") }
        let name = (scratch as NSString).lastPathComponent
        do {
            var reader = try LineReader(path: scratch, maxLineBytes: 1 << 20)
            var lines = 0
            while let line = try reader.next() {
                lines += 1
                // Each line holds at least one byte of the input, or one inflated byte (bounded by zlib's ratio).
                precondition(lines <= max(64, bytes.count * 1100), "more lines than the input can hold")
                switch parser.parse(line) {
                case .valid(let record):
                    precondition(!record.customID.isEmpty && !record.key.rawValue.isEmpty && !record.body.isEmpty)
                case .invalid(let invalid):
                    precondition(invalid.line == line.number && invalid.description.contains(name), "invalid line without file and line")
                }
            }
        } catch {
            precondition("\(error)".contains(name), "an input error must name its file: \(error)")
        }
    }
}

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
        InputFuzzer.check(UnsafeRawBufferPointer(start: data, count: count))
        return 0
    }

    /// SwiftPM links an executable's `main` to the module's entry point, so libFuzzer's own `main` is
    /// not used: the entry point hands over to libFuzzer's driver (looked up at run time, called with
    /// the C convention).
    @main
    struct Fuzz {
        typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
        typealias RunDriver =
            @convention(c) (
                UnsafeMutablePointer<CInt>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>, TestOneInput
            ) -> CInt

        static func main() {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "LLVMFuzzerRunDriver") else {
                fatalError("LLVMFuzzerRunDriver not found: build with -sanitize=fuzzer (make fuzz)")
            }
            let driver = unsafeBitCast(symbol, to: RunDriver.self)
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(driver(&argc, &argv, { data, count in fuzzInput(data, count) }))
        }
    }
#else
    @main
    struct Replay {
        static func main() throws {
            for path in CommandLine.arguments.dropFirst() {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                data.withUnsafeBytes { InputFuzzer.check($0) }
            }
            try? FileManager.default.removeItem(atPath: InputFuzzer.scratch)
            print("promptline-fuzz: \(CommandLine.arguments.count - 1) inputs replayed, no fault")
        }
    }
#endif
