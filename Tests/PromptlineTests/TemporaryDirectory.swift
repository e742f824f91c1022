import Foundation

/// A fresh directory under the system's temporary directory, for one test.
struct TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "promptline-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }
}
