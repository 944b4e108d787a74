import Foundation
import SieveSQL

/// One row of a corpus file in `Fixtures/` (format in Fixtures/SOURCES.md).
struct CorpusRow: Sendable {
    var id: String
    var sql: String
    var defaultDB: String?
    var options: SQLOptions
    /// Labelled files: the expected set, nil when the row is `invalid`.
    var expected: [TableRef]?
    var invalid: Bool
    var routines: [TableRef]?
    var status: TableExtraction.Status?

    func extract() -> TableExtraction {
        TableExtractor.extract(sql, defaultDB: defaultDB, options: options)
    }

    /// The rows of `Fixtures/<name>.jsonl`, or nil when the file is absent.
    static func load(_ name: String) -> [CorpusRow]? {
        JSONLines.load(name)?.map { object in
            CorpusRow(
                id: object["id"] as? String ?? "",
                sql: object["sql"] as? String ?? "",
                defaultDB: object["default_db"] as? String,
                options: SQLOptions(
                    sqlMode: object["sql_mode"] as? String ?? "",
                    serverVersion: object["server_version"] as? Int ?? 80036),
                expected: JSONLines.refs(object["expected"]),
                invalid: object["invalid"] as? Bool ?? false,
                routines: JSONLines.refs(object["routines"]),
                status: (object["status"] as? String).flatMap(TableExtraction.Status.init(rawValue:))
            )
        }
    }
}

/// One answer of a `*.oracle.jsonl` file.
struct OracleRow: Sendable {
    var id: String
    var tables: [TableRef]?
    var method: String?

    static func load(_ name: String) -> [String: OracleRow] {
        let rows = (JSONLines.load(name) ?? []).map { object in
            OracleRow(
                id: object["id"] as? String ?? "", tables: JSONLines.refs(object["tables"]),
                method: object["method"] as? String)
        }
        return Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

enum JSONLines {
    static func load(_ name: String) -> [[String: Any]]? {
        guard let url = Bundle.module.url(forResource: name, withExtension: "jsonl", subdirectory: "Fixtures"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return nil }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// `[[db, name], …]` as sorted refs; a null or empty db is "no database" (`TableRef.db == nil`).
    static func refs(_ value: Any?) -> [TableRef]? {
        guard let pairs = value as? [[Any]] else { return nil }
        return pairs.map { pair in
            let db = (pair.first as? String).flatMap { $0.isEmpty ? nil : $0 }
            return TableRef(db: db, name: (pair.last as? String) ?? "")
        }.sorted()
    }
}
