import Foundation
import NIOCore

/// A batch's create body in a temporary file, uploaded in chunks (and again, if a create must be
/// retried) without holding it in memory.
final class BatchBodyFile: Sendable {
    let path: String
    private let handle: FileHandle

    /// Where the body of batch `localID` is written.
    static func path(localID: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("promptline-batch-\(localID).json").path
    }

    /// Removes the body file a process that died left for batch `localID`, if any.
    static func removeLeftover(localID: String) {
        try? FileManager.default.removeItem(atPath: path(localID: localID))
    }

    init(localID: String) throws {
        path = Self.path(localID: localID)
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    func append(_ bytes: [UInt8]) throws {
        try handle.write(contentsOf: bytes)
    }

    func close() throws {
        try handle.close()
    }

    /// The file's size in bytes.
    var length: Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Removes the file.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The file's bytes in chunks of 1 MB.
    var chunks: Chunks { Chunks(path: path) }

    struct Chunks: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let path: String

        struct AsyncIterator: AsyncIteratorProtocol {
            let handle: FileHandle?

            mutating func next() async throws -> ByteBuffer? {
                guard let handle, let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else {
                    try? handle?.close()
                    return nil
                }
                return ByteBuffer(bytes: data)
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: FileHandle(forReadingAtPath: path)) }
    }
}
