// Parser microbenchmarks: syslog header, LF framing, each Percona dialect, and the whole path from a
// framed message to the event's JSON bytes.
//
//     ENABLE_BENCHMARKS=1 swift package --disable-sandbox --scratch-path .build-bench \
//         benchmark --target ParserBenchmarks
//
// The parser benchmarks use scalingFactor .kilo: one iteration is 1000 operations, and the table shows
// figures per operation (for "Frame decoding", one operation is one record of the 1000-record stream).
// The SQL table-extraction benchmarks (at the end) run a whole workload per iteration (the 9,422-statement
// mysql-test corpus, or a 1 MiB multi-statement text) and report statements/s in a custom metric.
import Benchmark
import Foundation
import NIOCore
import SieveAudit
import SieveEvent
import SieveSQL
import SieveSyslog

/// The syslog header rsyslog forwards (RFC 3164 with the plugin's tag).
private let syslogPrefix = "<14>Nov 22 01:30:19 db1 percona-audit: "

/// SQL long enough that each record is about 500 bytes.
private let sql =
    "SELECT i.id, i.customer_id, i.total, i.currency, c.name, c.country FROM billing.invoices i "
    + "JOIN crm.customers c ON c.id = i.customer_id WHERE i.issued_at >= '2026-01-01' AND i.status <> 'void' "
    + "AND c.country IN ('DE', 'FR', 'NL') ORDER BY i.issued_at DESC LIMIT 100"

/// One general record per dialect, as the plugin writes it and rsyslog forwards it (LFs as `#012`).
private let records: [(name: String, text: String)] = [
    (
        "JSON",
        #"{"audit_record":{"name":"Query","record":"1073_1970-01-01T00:00:00","timestamp":"2026-11-22T01:30:19Z","command_class":"select","connection_id":"4711","status":0,"sqltext":"\#(sql)","user":"app[app] @ web1.example.com [10.0.0.5]","host":"web1.example.com","os_user":"","ip":"10.0.0.5","db":"billing"}}"#
    ),
    (
        "NEW XML",
        "<AUDIT_RECORD>#012  <NAME>Query</NAME>#012  <RECORD>1073_1970-01-01T00:00:00</RECORD>#012  "
            + "<TIMESTAMP>2026-11-22T01:30:19Z</TIMESTAMP>#012  <COMMAND_CLASS>select</COMMAND_CLASS>#012  "
            + "<CONNECTION_ID>4711</CONNECTION_ID>#012  <STATUS>0</STATUS>#012  <SQLTEXT>"
            + sql.replacingOccurrences(of: "<>", with: "&lt;&gt;") + "</SQLTEXT>#012  "
            + "<USER>app[app] @ web1 [10.0.0.5]</USER>#012  <HOST>web1</HOST>#012  <OS_USER></OS_USER>#012  "
            + "<IP>10.0.0.5</IP>#012  <DB>billing</DB>#012</AUDIT_RECORD>"
    ),
    (
        "OLD XML",
        "<AUDIT_RECORD#012  NAME=\"Query\"#012  RECORD=\"1073_1970-01-01T00:00:00\"#012  "
            + "TIMESTAMP=\"2026-11-22T01:30:19Z\"#012  COMMAND_CLASS=\"select\"#012  CONNECTION_ID=\"4711\"#012  "
            + "STATUS=\"0\"#012  SQLTEXT=\"" + sql.replacingOccurrences(of: "<>", with: "&lt;&gt;") + "\"#012  "
            + "USER=\"app[app] @ web1 [10.0.0.5]\"#012  HOST=\"web1\"#012  OS_USER=\"\"#012  IP=\"10.0.0.5\"#012  "
            + "DB=\"billing\"#012/>"
    ),
    (
        "CSV",
        "\"Query\",\"1073_1970-01-01T00:00:00\",\"2026-11-22T01:30:19Z\",\"select\",\"4711\",0,\""
            + sql.replacingOccurrences(of: "'DE'", with: "\"\"DE\"\"")
            + "\",\"app[app] @ web1.example.com [10.0.0.5]\","
            + "\"web1.example.com\",\"\",\"10.0.0.5\",\"billing\""
    ),
]

private let dialects: [String: any AuditDialect] = [
    "JSON": PerconaJSONDialect(), "NEW XML": PerconaNewXMLDialect(), "OLD XML": PerconaOldXMLDialect(),
    "CSV": PerconaCSVDialect(),
]

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    // Syslog header of one forwarded line.
    let line = Array((syslogPrefix + records[0].text).utf8)
    Benchmark("Syslog header parse (RFC 3164 line)", configuration: configuration) { benchmark in
        line.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations {
                blackHole(SyslogHeaderParser.parse(bytes))
            }
        }
    }

    // LF framing of a 1000-record stream (the four dialects in turn, one per line).
    var stream: [UInt8] = []
    for index in 0..<1000 {
        stream += Array((syslogPrefix + records[index % records.count].text).utf8)
        stream.append(0x0A)
    }
    let streamBuffer = ByteBuffer(bytes: stream)
    Benchmark("Frame decoding (1000-record LF stream; per record)", configuration: configuration) { benchmark in
        let decoder = SyslogFrameDecoder(SyslogFramerConfiguration())
        var buffer = streamBuffer
        var frames = 0
        benchmark.startMeasurement()
        while let frame = try? decoder.decode(buffer: &buffer) {
            blackHole(frame)
            frames += 1
        }
        benchmark.stopMeasurement()
        precondition(frames == 1000, "decoded \(frames) frames")
    }

    // A JSON record whose SQL holds escapes (`\"`, `\n`, `\\`): its value is unescaped after the
    // copy of the message, the path every record with a quote, a line break or a backslash in its
    // SQL takes. Its mallocs per record are gated: the record's storage has room for the value.
    let escaped = Array(
        records[0].text.replacingOccurrences(of: "'DE'", with: #"\"DE\""#)
            .replacingOccurrences(of: "ORDER BY", with: #"\nORDER BY"#)
            .replacingOccurrences(of: "'void'", with: #"'C:\\\\void'"#).utf8)
    guard case .success(let escapedRecord) = escaped.withUnsafeBytes({ PerconaJSONDialect().parse($0) }),
        let escapedSQL = escapedRecord.value(.sqltext), escapedSQL.contains(0x0A), escapedSQL.contains(0x22)
    else { fatalError("the escaped JSON benchmark record does not parse to SQL with its escapes undone") }
    Benchmark("Percona JSON record parse, SQL with escapes (\(escaped.count) B)", configuration: configuration) {
        benchmark in
        escaped.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations {
                blackHole(PerconaJSONDialect().parse(bytes))
            }
        }
    }

    // Each dialect on its ~500-byte record (the MSG, header already removed).
    for (name, text) in records {
        let record = Array(text.utf8)
        let dialect = dialects[name]!
        guard case .success = record.withUnsafeBytes({ dialect.parse($0) }) else {
            fatalError("the \(name) benchmark record does not parse")
        }
        Benchmark("Percona \(name) record parse (\(record.count) B)", configuration: configuration) { benchmark in
            record.withUnsafeBytes { bytes in
                for _ in benchmark.scaledIterations {
                    blackHole(dialect.parse(bytes))
                }
            }
        }
    }

    // The whole path of one framed message: header, dialect detection and parse, JSON encoding;
    // and the same with the SQL's tables read, the per-record path the receiver runs for a kept
    // record. The latter's mallocs per record are gated (Benchmarks/Thresholds, `make bench`): a
    // new allocation per record fails the check.
    for (name, text) in records {
        let message = ByteBuffer(string: syslogPrefix + text)
        let parser = AuditParser()
        let time = EventTime(seconds: 1_795_000_000, microseconds: 512_345)
        var check = AuditEvent(message: message, peer: "10.1.2.3:40112", receivedAt: time, parser: parser)
        guard case .success = check.record else { fatalError("the \(name) message does not parse") }
        check.extractTables(options: SQLOptions())
        guard check.tables?.status == .complete else { fatalError("the \(name) message's tables are not read") }
        for tables in [nil, SQLOptions()] as [SQLOptions?] {
            let title =
                tables == nil
                ? "Message to event to JSON bytes (\(name), \(message.readableBytes) B)"
                : "Message to event with tables to JSON bytes (\(name))"
            Benchmark(title, configuration: configuration) { benchmark in
                var encoder = EventJSONEncoder()
                var out: [UInt8] = []
                out.reserveCapacity(4096)
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    var event = AuditEvent(message: message, peer: "10.1.2.3:40112", receivedAt: time, parser: parser)
                    if let tables { event.extractTables(options: tables) }
                    out.removeAll(keepingCapacity: true)
                    encoder.encode(event, into: &out)
                    blackHole(out.count)
                }
                benchmark.stopMeasurement()
            }
        }
    }

    registerSQLBenchmarks()
}

// MARK: - SQL table extraction

/// The package root, found from this file's path (Benchmarks/ParserBenchmarks/ParserBenchmarks.swift).
private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Statements stored back to back in one byte array, as the pipeline sees them (a slice of the record).
private struct Statements {
    var bytes: [UInt8] = []
    var ranges: [Range<Int>] = []
    var defaultDBs: [String?] = []
}

/// `Tests/SieveSQLTests/Fixtures/mysql_test_statements.jsonl`: one object per line with `sql` and `default_db`.
private func loadCorpus() -> Statements {
    let url = packageRoot.appendingPathComponent("Tests/SieveSQLTests/Fixtures/mysql_test_statements.jsonl")
    guard let data = try? Data(contentsOf: url) else { fatalError("cannot read \(url.path)") }
    var corpus = Statements()
    for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
            let sql = object["sql"] as? String
        else { fatalError("bad corpus line in \(url.path)") }
        let start = corpus.bytes.count
        corpus.bytes.append(contentsOf: sql.utf8)
        corpus.ranges.append(start..<corpus.bytes.count)
        let db = object["default_db"] as? String
        corpus.defaultDBs.append(db?.isEmpty == false ? db : nil)
    }
    return corpus
}

/// Extracts every statement of `corpus` once; returns the number of tables found (kept alive by blackHole).
@inline(never)
private func extractAll(_ corpus: Statements) -> Int {
    var tables = 0
    corpus.bytes.withUnsafeBytes { bytes in
        for index in corpus.ranges.indices {
            let extraction = TableExtractor.extract(
                UnsafeRawBufferPointer(rebasing: bytes[corpus.ranges[index]]), defaultDB: corpus.defaultDBs[index]
            )
            tables &+= extraction.tables.count &+ extraction.routines.count
        }
    }
    return tables
}

/// Nanoseconds of a duration, for the per-iteration statements/s figure.
private func nanoseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
}

/// Statements/s of one iteration, as a custom metric (no scaling: the value is shown as measured).
private let statementsPerSecond = BenchmarkMetric.custom(
    "Statements/s", polarity: .prefersLarger, useScalingFactor: false
)

/// Registers the SQL table-extraction benchmarks (called at the end of `benchmarks`).
private func registerSQLBenchmarks() {
    let corpus = loadCorpus()
    precondition(corpus.ranges.count > 9000, "the mysql-test corpus has \(corpus.ranges.count) statements")
    let statementCount = corpus.ranges.count
    let corpusConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, statementsPerSecond],
        warmupIterations: 3,
        scalingFactor: .one,
        maxDuration: .seconds(5),
        maxIterations: 10_000
    )
    // One iteration extracts every statement of the corpus (wall clock and throughput are per pass).
    Benchmark(
        "TableExtractor over the mysql-test corpus (\(statementCount) statements, \(corpus.bytes.count) B; per pass)",
        configuration: corpusConfiguration
    ) { benchmark in
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        let tables = extractAll(corpus)
        let elapsed = clock.now - start
        benchmark.stopMeasurement()
        blackHole(tables)
        benchmark.measurement(statementsPerSecond, Int(Double(statementCount) * 1e9 / nanoseconds(elapsed)))
    }

    // A 1 MiB multi-statement text: corpus statements that extract `complete` on their own, in corpus order
    // (cycling), separated by "\n;\n" (a statement ending in a `#`/`--` comment cannot swallow the `;`).
    // Left out: texts that may create a stored program (they contain "create" and one of "function",
    // "procedure", "trigger", "event"): the recognizer reads everything after such a CREATE to the end of
    // the text as the routine's body, so one of them would turn the rest of the script into body parsing.
    var script: [UInt8] = []
    var scriptStatements = 0
    corpus.bytes.withUnsafeBytes { bytes in
        let complete = corpus.ranges.indices.filter { index in
            let text = String(decoding: bytes[corpus.ranges[index]], as: UTF8.self).lowercased()
            let mayCreateStoredProgram =
                text.contains("create")
                && ["function", "procedure", "trigger", "event"].contains { text.contains($0) }
            return !mayCreateStoredProgram
                && TableExtractor.extract(
                    UnsafeRawBufferPointer(rebasing: bytes[corpus.ranges[index]]), defaultDB: "app"
                )
                .status == .complete
        }
        var next = 0
        while script.count < 1 << 20 {
            if scriptStatements > 0 { script.append(contentsOf: "\n;\n".utf8) }
            script.append(contentsOf: bytes[corpus.ranges[complete[next % complete.count]]])
            next += 1
            scriptStatements += 1
        }
    }
    let scriptCheck = script.withUnsafeBytes { TableExtractor.extract($0, defaultDB: "app") }
    precondition(
        scriptCheck.status == .complete && !scriptCheck.tables.isEmpty,
        "the 1 MiB text extracts \(scriptCheck.status) with \(scriptCheck.tables.count) tables"
    )
    Benchmark(
        "TableExtractor over a 1 MiB multi-statement text (\(scriptStatements) statements, \(script.count) B; per pass)",
        configuration: corpusConfiguration
    ) { benchmark in
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        let extraction = script.withUnsafeBytes { TableExtractor.extract($0, defaultDB: "app") }
        let elapsed = clock.now - start
        benchmark.stopMeasurement()
        blackHole(extraction)
        benchmark.measurement(statementsPerSecond, Int(Double(scriptStatements) * 1e9 / nanoseconds(elapsed)))
    }
}
