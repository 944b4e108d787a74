/// A broken guarantee is a crash, so that libFuzzer records the input as an artifact.
public func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        fatalError("fuzz check failed: \(message())")
    }
}

/// The input as bytes (libFuzzer hands a pointer and a count; the pointer is null when empty).
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
}
