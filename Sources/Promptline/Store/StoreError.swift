import CSQLite

/// A failure of the checkpoint store, with the database path and SQLite's own words.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// Stable codes for store failures.
    enum Code: String, Sendable {
        case cannotOpen = "store_cannot_open"
        case diskFull = "store_disk_full"
        case readOnly = "store_read_only"
        case busy = "store_busy"
        case corrupt = "store_corrupt"
        case schemaTooNew = "store_schema_too_new"
        case failed = "store_failed"
        case ioError = "store_io_error"
    }

    let code: Code
    let path: String
    let message: String

    init(code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    init(sqliteCode: Int32, path: String, message: String) {
        let code: Code
        switch sqliteCode & 0xff {
        case SQLITE_FULL: code = .diskFull
        case SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN: code = .readOnly
        case SQLITE_BUSY, SQLITE_LOCKED: code = .busy
        case SQLITE_CORRUPT, SQLITE_NOTADB: code = .corrupt
        case SQLITE_IOERR: code = .ioError
        default: code = .failed
        }
        self.init(code: code, path: path, message: message)
    }

    /// The user-facing message, naming the store's path.
    public var description: String {
        switch code {
        case .diskFull: "\(path): the disk holding the store is full (\(message)); free space and run the same command again"
        case .readOnly: "\(path): the store cannot be written (\(message)); check permissions or pass --db"
        case .busy:
            "\(path): the store is locked by another process (\(message)); wait for it to finish, or pass another --db"
        case .ioError:
            "\(path): the store could not be read or written (\(message)): the disk is full, failing, or past a file-size limit; fix that and run the same command again"
        case .corrupt: "\(path): the store is damaged or not a promptline store (\(message)); move it aside or pass another --db"
        default: "\(path): \(message)"
        }
    }
}
