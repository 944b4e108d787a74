/// Sink failures that stop the daemon from starting (runtime write errors are logged and retried).
public struct SinkError: Error, Sendable, CustomStringConvertible {
    public var sink: String
    public var path: String
    public var errno: Int32
    public var operation: String

    public init(sink: String, path: String, errno: Int32, operation: String) {
        self.sink = sink
        self.path = path
        self.errno = errno
        self.operation = operation
    }

    public var description: String {
        "sink '\(sink)': cannot \(operation) \(path): \(String(cString: strerror(errno)))"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
