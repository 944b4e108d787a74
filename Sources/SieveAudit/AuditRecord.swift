/// One parsed audit record: its dialect, its kind and its fields, fully unescaped.
///
/// Values are stored back to back in one byte array (`storage`), and where each field lies is kept
/// inline, so the fields cost one allocation however many there are (and copying a record costs a
/// few retains: `warnings`, `extraJSON` and `extraFields` allocate only when used, by the filter
/// dialects and ambiguous MariaDB lines); `value(_:)` hands out slices of it. Bytes are kept as the
/// server wrote them, unescaped: no field value is converted to `String` by the parsers.
public struct AuditRecord: Sendable {
    public var format: AuditFormat
    /// `nil` only when the record was cut before its NAME was complete.
    public var kind: AuditRecordKind?
    /// The sender cut the record short (rsyslog's `maxMessageSize`, the listener's
    /// `max_message_bytes`). Every complete field is kept, plus the field the cut fell in.
    public var truncated: Bool = false
    /// The field the cut fell in, when `truncated` and the cut fell inside a field.
    public var truncatedField: AuditField?
    /// What the parser could not read with certainty (an ambiguous split), for the event's
    /// `warnings`. Empty, and then free, for nearly every record.
    public var warnings: [String] = []
    /// The record's `id` numbers every record its server wrote, one counter per server run (the
    /// audit log filter's, known by the component's `audit-filter:` prefix), so a skipped number
    /// is a lost record. False when the dialect cannot tell (MySQL Enterprise's `id` restarts
    /// every second).
    public var idIsServerCounter = false
    /// Members the dialect has no field for, already JSON: `,"key":value` after each other, for
    /// the event as they are (the audit log filter's nested objects). Empty for other dialects.
    public var extraJSON: [UInt8] = []
    /// Text members the dialect has no field for (the audit log filter's XML elements), by the
    /// event key they go under; their bytes lie in `storage` like a field's.
    public var extraFields: [ExtraField] = []

    public struct ExtraField: Sendable {
        public var key: String
        public var range: Range<Int>
    }

    /// Where the next appended bytes start (for an extra field's range).
    public var storageEnd: Int { storage.count }

    public private(set) var storage: [UInt8]
    /// Per field (by raw value): where its bytes start and end in `storage`, 32-bit to keep the
    /// record small (it is copied on the hot path); `UInt32.max` when absent. A record is at most
    /// one message (`max_message_bytes` ≤ 1 GiB; the `parse` and `explain` commands refuse input
    /// files over 4 GiB).
    @usableFromInline var starts = InlineArray<28, UInt32>(repeating: .max)
    @usableFromInline var ends = InlineArray<28, UInt32>(repeating: .max)
    /// Fields in the order they were added (`orderCount` of them).
    private var orderSlots = InlineArray<28, UInt8>(repeating: 0)
    private var orderCount = 0
    /// The fields the record has, as a mask (`AuditField.bit`).
    public private(set) var presentMask: UInt32 = 0

    /// Fields in the order they were added.
    public var order: [AuditField] { (0..<orderCount).map { AuditField(rawValue: orderSlots[$0])! } }

    public init(format: AuditFormat, kind: AuditRecordKind? = nil, capacity: Int = 256) {
        self.format = format
        self.kind = kind
        self.storage = []
        self.storage.reserveCapacity(capacity)
    }

    /// A record whose storage starts as a copy of `message` (one copy however many fields): a
    /// parser marks a value that needs no unescaping where it lies in the copy (`setField(_:at:)`,
    /// at the message's offsets), and appends only values it must unescape, after the copy.
    /// `room` bytes of capacity follow the copy, for the values the parser appends: a parser that
    /// knows some must be unescaped reserves for them, so appending never regrows the storage.
    public init(format: AuditFormat, copying message: UnsafeRawBufferPointer, room: Int = 0) {
        self.format = format
        self.kind = nil
        self.storage = [UInt8](unsafeUninitializedCapacity: message.count + room) { buffer, count in
            if !message.isEmpty { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: message) }
            count = message.count
        }
    }

    /// The field's unescaped bytes, or `nil` when the record does not have it.
    ///
    /// The small accessors are always inlined: a call on a record held in a variable being changed
    /// (a parser's builder) otherwise copies the whole ~300-byte record to pass it.
    @inlinable @inline(__always)
    public func value(_ field: AuditField) -> ArraySlice<UInt8>? {
        guard let range = range(of: field) else { return nil }
        return storage[range]
    }

    @inlinable @inline(__always)
    public func range(of field: AuditField) -> Range<Int>? {
        let index = Int(field.rawValue)
        let start = starts[index]
        return start == .max ? nil : Int(start)..<Int(ends[index])
    }

    /// The field's value as text (tests, diagnostics, rules; not the event encoder).
    public func string(_ field: AuditField) -> String? {
        value(field).map { String(decoding: $0, as: UTF8.self) }
    }

    @inlinable @inline(__always)
    public func has(_ field: AuditField) -> Bool { presentMask & field.bit != 0 }

    /// Adds a field whose bytes need no unescaping. A field given twice keeps the last value.
    public mutating func set(_ field: AuditField, _ bytes: some Sequence<UInt8>) {
        beginField(field)
        storage.append(contentsOf: bytes)
        endField(field)
    }

    /// Adds a field whose bytes already lie in `storage` at `range` (a record made by
    /// `init(format:copying:)`: the range is where the value lies in the message). A field given
    /// twice keeps the last value.
    @inline(__always)
    public mutating func setField(_ field: AuditField, at range: Range<Int>) {
        beginField(field)
        starts[Int(field.rawValue)] = UInt32(truncatingIfNeeded: range.lowerBound)
        ends[Int(field.rawValue)] = UInt32(truncatingIfNeeded: range.upperBound)
    }

    /// Starts a field; append its unescaped bytes with `append(_:)`, then call `endField`.
    @inline(__always)
    public mutating func beginField(_ field: AuditField) {
        let index = Int(field.rawValue)
        if starts[index] == .max {
            orderSlots[orderCount] = field.rawValue
            orderCount += 1
            presentMask |= field.bit
        }
        starts[index] = UInt32(truncatingIfNeeded: storage.count)
        ends[index] = UInt32(truncatingIfNeeded: storage.count)
    }

    public mutating func append(_ byte: UInt8) { storage.append(byte) }

    public mutating func append(contentsOf bytes: UnsafeRawBufferPointer) { storage.append(contentsOf: bytes) }

    public mutating func endField(_ field: AuditField) {
        ends[Int(field.rawValue)] = UInt32(truncatingIfNeeded: storage.count)
    }

    /// Forgets `field`, which must be the field most recently begun: a parser drops a number the
    /// sender's cut went through, as its digits would be a different number.
    public mutating func discardField(_ field: AuditField) {
        guard let range = range(of: field) else { return }
        storage.removeSubrange(range.lowerBound...)
        let index = Int(field.rawValue)
        starts[index] = .max
        ends[index] = .max
        presentMask &= ~field.bit
        if let slot = (0..<orderCount).first(where: { orderSlots[$0] == field.rawValue }) {
            for later in slot..<(orderCount - 1) { orderSlots[later] = orderSlots[later + 1] }
            orderCount -= 1
        }
    }

    /// Marks the record as cut short inside `field` (or between fields when `nil`).
    public mutating func markTruncated(in field: AuditField?) {
        truncated = true
        truncatedField = field
    }

    /// The fields to emit, in template order: every template field for a complete record; for a
    /// truncated record only the fields that were reached (fields after the cut were never seen).
    public var emittedFields: [AuditField] {
        // Only the Percona plugin has templates; other dialects emit the fields the record held,
        // in the order it held them.
        guard let kind, format.hasTemplates else { return order }
        if truncated { return kind.fields.filter { has($0) } }
        return kind.fields
    }

    /// Template fields a complete record lacks (a parser reports these as malformed).
    public var missingFields: [AuditField] {
        guard let kind, format.hasTemplates, kind.fieldMask & ~presentMask != 0 else { return [] }
        return kind.fields.filter { !has($0) }
    }
}
