import ArgumentParser
import Foundation
import SieveEvent
import SieveSQL

struct TablesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tables",
        abstract: "Print the tables each SQL statement touches (JSON lines in, JSON lines out).",
        discussion: """
            Reads JSON lines {"sql": "...", "db": "...", "sql_mode": "ANSI_QUOTES" (optional), \
            "server_version": 80036 (optional)} and writes, in input order, one line each: \
            {"tables": [[db, table], ...], "status": "complete|partial|unparsed", "routines": [...] (when any)}. \
            A line that is not such an object gives {"error": "..."} and makes the exit status 1.

            Examples:
              echo '{"sql": "SELECT * FROM t JOIN billing.inv USING (id)", "db": "app"}' | auditsieve tables
              auditsieve tables statements.jsonl
            """
    )

    @Argument(help: "The input file (default: standard input).")
    var file: String?

    func run() throws {
        let data: Data
        do {
            data =
                try file.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
                ?? FileHandle.standardInput.readDataToEndOfFile()
        } catch {
            printToStandardError("tables: cannot read \(file ?? "standard input"): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        var out: [UInt8] = []
        var failures = 0
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: true).enumerated() {
            guard let request = TablesRequest(json: Data(line)) else {
                failures += 1
                printToStandardError("tables: line \(index + 1): expected a JSON object with a string \"sql\"")
                out.append(contentsOf: #"{"error":"expected a JSON object with a string \"sql\""}"#.utf8)
                out.append(0x0A)
                continue
            }
            let result = TableExtractor.extract(request.sql, defaultDB: request.db, options: request.options)
            out.append(contentsOf: #"{"tables":"#.utf8)
            TableListWriter.write(result.tables, into: &out)
            out.append(contentsOf: #","status":"#.utf8)
            JSONStringWriter.writeQuoted(result.status.rawValue, into: &out)
            if !result.routines.isEmpty {
                out.append(contentsOf: #","routines":"#.utf8)
                TableListWriter.write(result.routines, into: &out)
            }
            out.append(contentsOf: "}\n".utf8)
            if out.count > 1 << 20 {
                FileHandle.standardOutput.write(Data(out))
                out.removeAll(keepingCapacity: true)
            }
        }
        FileHandle.standardOutput.write(Data(out))
        if failures > 0 { throw ExitCode(1) }
    }
}

/// One input line of `auditsieve tables`.
struct TablesRequest {
    var sql: String
    var db: String?
    var options: SQLOptions

    init?(json: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
            let sql = object["sql"] as? String
        else { return nil }
        self.sql = sql
        self.db = (object["db"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let version = (object["server_version"] as? Int) ?? 80036
        self.options = SQLOptions(sqlMode: (object["sql_mode"] as? String) ?? "", serverVersion: version)
    }
}
