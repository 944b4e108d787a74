/// Where the event encoders write bytes: a growing `[UInt8]`, or `ReservedOutput`, capacity
/// reserved at the end of one (the encoder's hot path: no capacity or uniqueness check per write).
public protocol EventOutput {
    mutating func write(_ byte: UInt8)
    mutating func write(_ bytes: UnsafeRawBufferPointer)
}

extension EventOutput {
    @inline(__always)
    public mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) { write(UnsafeRawBufferPointer(bytes)) }

    @inline(__always)
    public mutating func write(_ bytes: [UInt8]) { bytes.withUnsafeBytes { write($0) } }

    @inline(__always)
    public mutating func write(_ bytes: ArraySlice<UInt8>) { bytes.withUnsafeBytes { write($0) } }

    /// A literal's UTF-8 bytes.
    @inline(__always)
    public mutating func write(_ literal: StaticString) {
        write(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// A non-negative integer's decimal digits (facility and severity).
    public mutating func writeDecimal(_ value: Int) {
        guard value >= 10 else {
            write(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: max(0, value)))
            return
        }
        writeDecimal(value / 10)
        write(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10))
    }
}

extension Array: EventOutput where Element == UInt8 {
    @inline(__always)
    public mutating func write(_ byte: UInt8) { append(byte) }

    @inline(__always)
    public mutating func write(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
}
