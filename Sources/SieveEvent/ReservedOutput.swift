/// Capacity reserved at the end of a byte array (`Array.append(addingCapacity:)`), written with
/// plain stores. It never writes past what was reserved: a write that does not fit sets
/// `overflowed` and writes nothing more, and the caller reserves more and starts over.
struct ReservedOutput: EventOutput {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// Bytes written (initialized) from `base`.
    private(set) var count: Int
    private(set) var overflowed = false

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>, initialized: Int) {
        // A zero-capacity buffer may have no base address; nothing is then ever written.
        base = buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 1)!
        capacity = buffer.baseAddress == nil ? 0 : buffer.count
        count = initialized
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        guard count < capacity else {
            overflowed = true
            return
        }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= capacity - count else {
            overflowed = true
            return
        }
        if let source = bytes.baseAddress {
            UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: bytes.count)
        }
        count += bytes.count
    }
}

extension Array where Element == UInt8 {
    /// Appends what `body` writes, into capacity reserved for `estimate` bytes at first; when that
    /// is too little, reserves four times as much and writes again (nothing is ever cut short).
    @inline(__always)
    mutating func appendReserving(_ estimate: Int, _ body: (inout ReservedOutput) -> Void) {
        var reserve = Swift.max(estimate, 64)
        while true {
            var fitted = false
            append(addingCapacity: reserve) { span in
                span.withUnsafeMutableBufferPointer { buffer, initialized in
                    var output = ReservedOutput(buffer, initialized: initialized)
                    body(&output)
                    guard !output.overflowed else { return }
                    initialized = output.count
                    fitted = true
                }
            }
            if fitted { return }
            reserve *= 4
        }
    }
}
