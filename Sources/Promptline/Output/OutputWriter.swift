import Foundation

/// Writes the job's output to a partial file beside the target, in order, and moves it into place
/// only when complete (write, fsync, rename), so a make target never sees a half-written file.
///
/// ``checkpoint()`` ends the current gzip member and pushes every byte to the kernel, then
/// reports the offset at which the partial file holds complete lines only; a resume truncates
/// the partial file back to that offset and continues appending. All file and zlib calls run on
/// the actor's own serial queue.
actor OutputWriter {
    private let executor = DispatchQueueExecutor(label: "promptline.output")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// The final path.
    nonisolated let path: String
    /// The partial file written until the output is complete.
    nonisolated let partialPath: String
    private let fd: Int32
    private let deflater: GzipDeflater?
    private var pending: [UInt8] = []
    private var offset: Int
    private var dirty = false

    /// Opens the partial output, truncated to `resumeOffset` bytes (0 starts over).
    init(path: String, resumeOffset: Int) throws(OutputError) {
        self.path = path
        self.partialPath = path + ".partial"
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let fd = open(partialPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw OutputError(
                code: .cannotOpen, path: partialPath,
                message:
                    "cannot create the output (\(String(cString: strerror(errno)))); results so far are safe in the store, run the same command again once it can be written"
            )
        }
        var size = stat()
        fstat(fd, &size)
        let start = Int(size.st_size) >= resumeOffset ? resumeOffset : 0
        guard ftruncate(fd, off_t(start)) == 0, lseek(fd, off_t(start), SEEK_SET) >= 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw OutputError(code: .writeFailed, path: partialPath, message: message)
        }
        self.fd = fd
        self.offset = start
        self.deflater = path.hasSuffix(".gz") ? try GzipDeflater() : nil
    }

    /// Where the partial output resumed (0 if it started over because it was shorter than the checkpoint).
    var resumedAt: Int { offset }

    /// Appends complete lines (each ending in a newline).
    func write(_ lines: [[UInt8]]) throws(OutputError) {
        for line in lines {
            if let deflater {
                deflater.compress(line, into: &pending)
            } else {
                pending.append(contentsOf: line)
            }
        }
        dirty = dirty || !lines.isEmpty
        if pending.count >= 256 << 10 { try drain() }
    }

    /// Makes everything written so far a complete, resumable prefix of the file and returns its length.
    func checkpoint() throws(OutputError) -> Int {
        if dirty, let deflater { deflater.finishMember(into: &pending) }
        dirty = false
        try drain()
        return offset
    }

    /// Completes the output: last bytes, fsync, rename into place, fsync of the directory.
    func finish() throws(OutputError) -> Int {
        if let deflater, offset == 0, !dirty {
            deflater.finishMember(into: &pending)  // an empty job still gets a valid (empty) gzip file
        }
        let length = try checkpoint()
        guard fsync(fd) == 0 else { throw failure() }
        close(fd)
        guard rename(partialPath, path) == 0 else { throw failure() }
        let directory = (path as NSString).deletingLastPathComponent
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
        return length
    }

    /// Closes the partial file without completing it (the job stopped early).
    func abandon() {
        close(fd)
    }

    private func drain() throws(OutputError) {
        var written = 0
        while written < pending.count {
            let n = pending.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure()
            }
            written += n
        }
        offset += written
        pending.removeAll(keepingCapacity: true)
    }

    private func failure() -> OutputError {
        let reason =
            switch errno {
            case ENOSPC: "the disk is full"
            case EFBIG: "the file-size limit is reached (ulimit -f)"
            default: String(cString: strerror(errno))
            }
        return OutputError(
            code: .writeFailed, path: partialPath, message: "\(reason); results so far are safe in the store, run the same command again")
    }
}
