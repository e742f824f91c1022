import Foundation

/// When a job must be done (`--deadline`): a duration from the start of the run (`90m`, `6h`,
/// `45s`, `1h30m`) or an RFC 3339 time (`2026-12-03T06:00:00Z`). A duration counts from each
/// invocation, so a make target rerun after a kill gets its full time again.
public struct Deadline: Sendable, Equatable, CustomStringConvertible {
    /// The moment itself.
    let date: Date

    init(date: Date) {
        self.date = date
    }

    /// Parses `text` as a duration after `now` or an RFC 3339 time; nil when it is neither, or
    /// names no time at all.
    public init?(_ text: String, now: Date = Date()) {
        if let seconds = Self.seconds(in: text) {
            guard seconds > 0 else { return nil }
            self.date = now.addingTimeInterval(seconds)
        } else if let date = try? Date(text, strategy: .iso8601) {
            self.date = date
        } else {
            return nil
        }
    }

    /// `1h30m` → 5400: whole numbers, each followed by `h`, `m` or `s`, largest first.
    private static func seconds(in text: String) -> Double? {
        let units: [Character] = ["h", "m", "s"]
        let scales = [3600.0, 60, 1]
        var total = 0.0
        var digits = ""
        var lastUnit = -1
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            guard let value = Double(digits), let unit = units.firstIndex(of: character), unit > lastUnit else { return nil }
            total += value * scales[unit]
            lastUnit = unit
            digits = ""
        }
        return digits.isEmpty && lastUnit >= 0 ? total : nil
    }

    /// Seconds from `now` to the deadline (negative once it has passed).
    func remaining(from now: Date = Date()) -> Double { date.timeIntervalSince(now) }

    /// The deadline as an ISO 8601 time.
    public var description: String { date.formatted(.iso8601) }
}
