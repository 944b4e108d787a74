import Foundation
import SieveAudit
import Testing

/// The sample files under `Fixtures/` (provenance in `Fixtures/SOURCES.md`).
enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return try [UInt8](Data(contentsOf: url))
    }

    /// The file split by `AuditRecordSplitter`: each record's bytes and whether it was unclosed.
    static func chunks(_ name: String) throws -> [Chunk] {
        let file = try bytes(name)
        return file.withUnsafeBytes { buffer in
            var chunks: [Chunk] = []
            var offset = 0
            while let chunk = AuditRecordSplitter.nextChunk(in: buffer, from: offset) {
                chunks.append(Chunk(bytes: Array(buffer[chunk.range]), unclosed: chunk.unclosed))
                offset = chunk.next
            }
            return chunks
        }
    }

    /// Each record of a file of valid records, parsed.
    static func records(_ name: String) throws -> [AuditRecord] {
        var records: [AuditRecord] = []
        for chunk in try chunks(name) {
            #expect(!chunk.unclosed, "\(chunk.text)")
            records.append(try parse(chunk.bytes).get())
        }
        return records
    }

    /// The MSG part of each line of an rsyslog capture (`<PRI>Mmm dd hh:mm:ss HOST TAG: MSG`),
    /// with its leading spaces trimmed; `#### ` comment lines are skipped.
    static func syslogMessages(_ name: String) throws -> [[UInt8]] {
        let lines = try bytes(name).split(separator: 0x0A, omittingEmptySubsequences: true)
        return lines.filter { !$0.starts(with: "#### ".utf8) }.map { line in
            let text = Array(line)
            let tagEnd = (0..<text.count - 1).first { text[$0] == UInt8(ascii: ":") && text[$0 + 1] == 0x20 }!
            return Array(text[(tagEnd + 2)...].drop { $0 == 0x20 })
        }
    }

    struct Chunk {
        var bytes: [UInt8]
        var unclosed: Bool
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }
}

func parse(_ bytes: [UInt8]) -> Result<AuditRecord, AuditParseError> {
    AuditParser().parse(bytes)
}

func parse(_ text: String) -> Result<AuditRecord, AuditParseError> {
    parse(Array(text.utf8))
}

func parse(_ bytes: [UInt8], with dialect: some AuditDialect) -> Result<AuditRecord, AuditParseError> {
    bytes.withUnsafeBytes { dialect.parse($0) }
}

extension Result where Success == AuditRecord, Failure == AuditParseError {
    var record: AuditRecord? { try? get() }
    var error: AuditParseError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
