import ArgumentParser
import Promptline

/// Runs `body`; an error that ends it is printed on one line and becomes the exit status its type
/// stands for (``ExitStatus/init(for:)``). An `ExitCode` passes through unchanged.
func exitingOnError<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("promptline: \(error)")
        throw ExitCode(ExitStatus(for: error))
    }
}
