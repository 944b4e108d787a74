import Foundation
@testable import SieveSpool

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/spooltest.XXXXXX").utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func files(_ suffix: String = "") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
    }

    func segmentPaths(in directory: String? = nil) -> [String] {
        let base = directory ?? path
        return ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [])
            .filter { $0.hasSuffix(".seg") }.sorted().map { base + "/" + $0 }
    }
}

/// Deterministic audit records shaped like MySQL/Percona JSON audit output.
struct AuditEventGenerator {
    private var state: UInt64

    init(seed: UInt64 = 42) { state = seed }

    private mutating func next(_ bound: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(bound))
    }

    private static let users = ["app_billing", "app_orders", "report_ro", "root", "etl_loader", "dba_anna"]
    private static let tables = [
        "invoices", "customers", "orders", "order_items", "payments", "ledger_entries", "sessions",
    ]
    private static let commands = ["select", "insert", "update", "delete"]

    mutating func event(_ index: Int) -> [UInt8] {
        let user = Self.users[next(Self.users.count)]
        let table = Self.tables[next(Self.tables.count)]
        let command = Self.commands[next(Self.commands.count)]
        let id = 100_000 + next(900_000)
        let query: String =
            switch command {
            case "select":
                "SELECT id, amount, status, created_at FROM billing.\(table) WHERE customer_id = \(id) ORDER BY created_at DESC LIMIT \(next(100) + 1)"
            case "insert":
                "INSERT INTO billing.\(table) (customer_id, amount, currency, status) VALUES (\(id), \(next(100_000)).\(next(100)), 'EUR', 'open')"
            case "update": "UPDATE billing.\(table) SET status = 'paid', paid_at = NOW() WHERE id = \(id)"
            default: "DELETE FROM billing.\(table) WHERE id = \(id) AND status = 'void'"
            }
        let json = """
            {"audit_record":{"name":"Query","record":"\(index)_2026-11-22T04:\(String(format: "%02d", index / 60 % 60)):\(String(format: "%02d", index % 60))","timestamp":"2026-11-22T04:\(String(format: "%02d", index / 60 % 60)):\(String(format: "%02d", index % 60)) UTC","command_class":"\(command)","connection_id":"\(1000 + next(500))","status":0,"sqltext":"\(query)","user":"\(user)[\(user)] @ app-\(next(40)).internal [10.20.\(next(255)).\(next(255))]","host":"app-\(next(40)).internal","os_user":"","ip":"10.20.\(next(255)).\(next(255))","db":"billing"}}
            """
        return Array(json.utf8)
    }
}

/// A small numbered event whose content says its index, for order checks.
func numbered(_ index: Int, padding: Int = 0) -> [UInt8] {
    Array("event-\(index)-".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: padding)
}

func index(of event: [UInt8]) -> Int? {
    let text = String(decoding: event, as: UTF8.self)
    guard text.hasPrefix("event-") else { return nil }
    return Int(text.dropFirst(6).prefix(while: { $0 != "-" }))
}

/// Reads and acknowledges everything, in batches of `batch`.
func drain(_ queue: SpoolQueue, batch: Int = 100) -> [[UInt8]] {
    var all: [[UInt8]] = []
    while true {
        let events = queue.peek(maxEvents: batch)
        if events.isEmpty { return all }
        all += events
        queue.acknowledge(events.count)
    }
}

func configuration(
    _ directory: String, maxBytes: Int = 64 << 20, segmentBytes: Int? = nil, blockBytes: Int = 64 << 10,
    fsync: SpoolConfiguration.Fsync = .interval
) -> SpoolConfiguration {
    SpoolConfiguration(
        directory: directory, maxBytes: maxBytes, segmentBytes: segmentBytes, blockBytes: blockBytes, fsync: fsync)
}

func fileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : -1
}

/// Copies every regular file of `source` into a new temporary directory, as a crash would leave
/// them (the copy holds no lock).
func copyOfDirectory(_ source: String) -> TemporaryDirectory {
    let copy = TemporaryDirectory()
    for name in (try? FileManager.default.contentsOfDirectory(atPath: source)) ?? [] {
        try? FileManager.default.copyItem(atPath: source + "/" + name, toPath: copy.path + "/" + name)
    }
    return copy
}

func readBytes(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

func writeBytes(_ bytes: [UInt8], to path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// Offsets of the blocks in a segment file.
func blockOffsets(_ path: String) -> [Int] {
    readBytes(path).withUnsafeBytes { SegmentScan($0).blocks.map(\.offset) }
}

/// Pseudo-random bytes that zstd cannot shrink.
func incompressible(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}
