import Foundation

/// Parses the server's requested wait: `retry-after-ms`, else `retry-after` in seconds or as an HTTP date.
enum RetryAfter {
    /// The wait in seconds, or nil when no usable header was given.
    static func parse(milliseconds: String?, value: String?, now: Date) -> Double? {
        if let milliseconds, let ms = Double(milliseconds.trimmingCharacters(in: .whitespaces)), ms >= 0 {
            return ms / 1000
        }
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: value) {
            return max(0, date.timeIntervalSince(now))
        }
        return nil
    }
}
