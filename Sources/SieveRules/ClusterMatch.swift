/// Which senders belong to a cluster. Every list that is given must match (an empty list matches
/// anything); within a list any entry may match.
public struct ClusterMatch: Sendable {
    public var hostnames: [Glob]
    public var senders: [CIDRBlock]
    public var appNames: [Glob]

    public init(hostnames: [String] = [], senders: [CIDRBlock] = [], appNames: [String] = []) {
        self.hostnames = hostnames.map { Glob($0, caseSensitive: false) }
        self.senders = senders
        self.appNames = appNames.map { Glob($0) }
    }

    public func matches(_ origin: RecordOrigin) -> Bool {
        if !hostnames.isEmpty && !hostnames.contains(where: { $0.matches(origin.hostname) }) { return false }
        if !appNames.isEmpty && !appNames.contains(where: { $0.matches(origin.appName) }) { return false }
        if !senders.isEmpty {
            guard let address = origin.senderAddress, senders.contains(where: { $0.contains(address) }) else {
                return false
            }
        }
        return true
    }
}

/// Where a record came from, as cluster matching sees it. The byte views point into the message
/// and are valid only while the caller holds it (`withUnsafeReadableBytes`).
public struct RecordOrigin {
    /// The syslog HOSTNAME (empty when the header had none).
    public var hostname: UnsafeRawBufferPointer
    public var appName: UnsafeRawBufferPointer
    /// The sender's IP address bytes (4 or 16), when known.
    public var senderAddress: [UInt8]?

    public init(hostname: UnsafeRawBufferPointer, appName: UnsafeRawBufferPointer, senderAddress: [UInt8]?) {
        self.hostname = hostname
        self.appName = appName
        self.senderAddress = senderAddress
    }
}
