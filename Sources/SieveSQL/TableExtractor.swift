/// Extracts the tables a MySQL statement text touches: a byte-level lexer, then a recognizer of the
/// grammar positions that hold table names (docs/SQL-TABLES.md §2–§3). Pure and allocation-light: the
/// allocations are the reported names and, for statements with CTEs, the table of
/// visible CTE names.
public enum TableExtractor {
    /// `defaultDB` is the record's current database (`db` field; `nil` or empty when none);
    /// `USE db` inside the text changes it for what follows.
    public static func extract(_ sql: UnsafeRawBufferPointer, defaultDB: String?, options: SQLOptions = .init())
        -> TableExtraction
    {
        var steps = 0
        return extract(sql, defaultDB: defaultDB, options: options, steps: &steps)
    }

    public static func extract(_ sql: String, defaultDB: String?, options: SQLOptions = .init()) -> TableExtraction {
        var sql = sql
        return sql.withUTF8 { extract(UnsafeRawBufferPointer($0), defaultDB: defaultDB, options: options) }
    }

    /// As `extract(_:defaultDB:options:)`, adding to `steps` the work done (bytes and tokens visited), which
    /// grows linearly with the input: tests assert that without a clock.
    public static func extract(
        _ sql: UnsafeRawBufferPointer, defaultDB: String?, options: SQLOptions = .init(), steps: inout Int
    ) -> TableExtraction {
        guard let base = sql.baseAddress?.assumingMemoryBound(to: UInt8.self), !sql.isEmpty else {
            return TableExtraction(tables: [], status: .complete)
        }
        return Lexer.withTokenBuffer(forTextOf: sql.count) { buffer in
            var lexer = Lexer(text: base, count: sql.count, options: options, buffer: buffer)
            lexer.run()
            steps += lexer.steps
            if lexer.failure == .nestedTooDeep {
                return TableExtraction(tables: [], status: .unparsed)
            }
            var recognizer = Recognizer(text: base, tokens: lexer.tokens, defaultDB: defaultDB)
            recognizer.parseScript()
            steps += recognizer.steps
            let status: TableExtraction.Status = lexer.failure == nil ? recognizer.status : .unparsed
            return TableExtraction(
                tables: sortedUnique(recognizer.takeTables()), routines: sortedUnique(recognizer.takeRoutines()),
                status: status)
        }
    }

    /// A statement's few names are sorted in place, in the array the recognizer handed over (no
    /// second allocation); a script's many with the standard library's sort.
    private static func sortedUnique(_ refs: consuming [TableRef]) -> [TableRef] {
        guard refs.count > 1 else { return refs }
        var sorted: [TableRef]
        if refs.count > 8 {
            sorted = refs.sorted()
        } else {
            sorted = consume refs
            insertionSort(&sorted)
        }
        var kept = 1
        for index in 1..<sorted.count where sorted[index] != sorted[kept - 1] {
            sorted[kept] = sorted[index]
            kept += 1
        }
        sorted.removeLast(sorted.count - kept)
        return sorted
    }

    private static func insertionSort(_ refs: inout [TableRef]) {
        for index in 1..<refs.count {
            var position = index
            while position > 0 && refs[position] < refs[position - 1] {
                refs.swapAt(position, position - 1)
                position -= 1
            }
        }
    }
}
