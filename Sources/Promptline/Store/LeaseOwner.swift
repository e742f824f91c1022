import Foundation

/// Lease owner ids (`host/pid/nonce`) and whether the process behind one still lives.
enum LeaseOwner {
    /// True unless the owner is a process on this host that no longer exists. Owners on other
    /// hosts are trusted until their lease expires.
    static func isAlive(_ owner: String) -> Bool {
        let parts = owner.split(separator: "/")
        guard parts.count == 3, let pid = Int32(parts[1]) else { return true }
        guard String(parts[0]) == ProcessInfo.processInfo.hostName else { return true }
        if kill(pid, 0) == 0 { return true }
        return errno == EPERM
    }
}
