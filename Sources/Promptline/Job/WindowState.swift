/// The in-order window of records read but not yet written: the scheduler's bookkeeping, kept
/// apart from any I/O so it can be tested alone.
///
/// Each record gets a slot in input order; a slot is filled when its answer is known (from the
/// store, from a request, or at once for an invalid line), and lines leave the window only from
/// its head, so the output keeps input order. A key repeated in the input is sent once and its
/// answer fills every slot waiting for it.
struct WindowState {
    /// What the scheduler does with an admitted record.
    enum Admission: Equatable {
        /// Nothing more: the record is answered, or already in the partial output, or waits on a key in flight.
        case none
        /// An invalid line: warn on stderr.
        case warn(String)
        /// Send this record.
        case send(RequestRecord)

        static func == (lhs: Admission, rhs: Admission) -> Bool {
            switch (lhs, rhs) {
            case (.none, .none): true
            case (.warn(let a), .warn(let b)): a == b
            case (.send(let a), .send(let b)): a.key == b.key && a.customID == b.customID
            default: false
            }
        }
    }

    private struct Slot {
        var customID: String
        var key: String
        var line: [UInt8]?
        /// The record's own fields for the output line's `metadata`.
        var metadata: [UInt8]? = nil
    }

    /// Most records read ahead of the oldest unwritten one.
    let capacity: Int
    /// Records at the start of the input already in the partial output.
    private let skip: Int
    private var seen = 0
    private var slots: [Slot] = []
    private var head = 0
    private var waiting: [String: [Int]] = [:]

    /// Lines written, counting those already in the partial output.
    private(set) var written: Int
    /// Lines written since the last checkpoint.
    var sinceCheckpoint = 0
    private(set) var results: [ResultType: Int] = [:]
    private(set) var tiers: [ServedTier: Int] = [:]
    /// Output lines by their answer's `stop_reason` (answers a model gave).
    private(set) var stopReasons: [String: Int] = [:]
    private(set) var reused = 0
    /// The lines of records that asked for JSON, by what they show.
    private(set) var structured = StructuredTally()

    init(skip: Int, capacity: Int = 4096) {
        self.skip = skip
        self.written = skip
        self.capacity = capacity
    }

    /// True when no slot waits on `key` yet (so the store is worth asking).
    func isFresh(_ key: String) -> Bool { waiting[key] == nil }

    /// True when reading must pause until the head of the window is answered.
    var isWindowFull: Bool { slots.count - head >= capacity }

    /// Takes the next input record, with the answers the store holds for its batch.
    mutating func admit(_ parsed: ParsedRecord, stored: [String: StoredAnswer]) -> Admission {
        let index = seen
        seen += 1
        switch parsed {
        case .invalid(let invalid):
            count(result: .invalid, tier: .none)
            if index < skip { return .none }
            slots.append(Slot(customID: invalid.customID, key: "", line: OutputLine.invalid(invalid)))
            return .warn(invalid.description)
        case .valid(let record):
            if let answer = stored[record.key] {
                count(result: answer.resultType, tier: answer.tier, stopReason: answer.stopReason, structured: answer.structured)
                reused += 1
                if index < skip { return .none }
                slots.append(
                    Slot(
                        customID: record.customID, key: record.key,
                        line: OutputLine.answered(customID: record.customID, key: record.key, answer: answer, metadata: record.metadata)))
                return .none
            }
            if index < skip { return .none }  // answered in the store, since it is in the partial output
            slots.append(Slot(customID: record.customID, key: record.key, line: nil, metadata: record.metadata))
            if waiting[record.key] != nil {
                waiting[record.key]!.append(index)
                return .none
            }
            waiting[record.key] = [index]
            return .send(record)
        }
    }

    /// Fills every slot waiting for `key`.
    mutating func answer(key: String, with answer: StoredAnswer) {
        guard let indices = waiting.removeValue(forKey: key) else { return }
        for index in indices {
            let position = index - skip - removed
            let slot = slots[position]
            slots[position].line = OutputLine.answered(customID: slot.customID, key: key, answer: answer, metadata: slot.metadata)
            slots[position].metadata = nil
            count(result: answer.resultType, tier: answer.tier, stopReason: answer.stopReason, structured: answer.structured)
        }
    }

    /// The lines ready at the head of the window, in order.
    mutating func takeReady() -> [[UInt8]] {
        var lines: [[UInt8]] = []
        while head < slots.count, let line = slots[head].line {
            lines.append(line)
            slots[head].line = nil
            head += 1
        }
        written += lines.count
        sinceCheckpoint += lines.count
        if head >= 1024 && head * 2 >= slots.count {
            slots.removeFirst(head)
            removed += head
            head = 0
        }
        return lines
    }

    /// Slots dropped from the front of `slots` so far.
    private var removed = 0

    private mutating func count(
        result: ResultType, tier: ServedTier, stopReason: String? = nil, structured: StructuredPresentation? = nil
    ) {
        if let structured { self.structured.add(structured) }
        results[result, default: 0] += 1
        tiers[tier, default: 0] += 1
        if let stopReason { stopReasons[stopReason, default: 0] += 1 }
    }
}
