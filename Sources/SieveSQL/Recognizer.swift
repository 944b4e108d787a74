/// Walks a statement text's tokens and collects the names in table positions (docs/SQL-TABLES.md §3).
/// Everything that is not a table position is skimmed with balanced parentheses, except that any
/// query inside it is recursed into. Recursion is bounded by `maxDepth`; the lexer already refused
/// parentheses nested deeper than `Lexer.maxNesting`.
struct Recognizer {
    static let maxDepth = 2 * Lexer.maxNesting + 16

    let text: UnsafePointer<UInt8>
    let tokens: UnsafeBufferPointer<Token>
    var position = 0
    var defaultDB: String?
    var tables: [TableRef] = []
    var routines: [TableRef] = []
    var status: TableExtraction.Status = .complete
    /// Token indices of the CTE names visible here, innermost last.
    private(set) var visibleCTEs: [Int] = []
    /// The visible CTE names by case-folded hash, so that looking a table name up costs its length,
    /// not the number of CTEs.
    private var visibleCTEsByHash: [UInt64: [Int]] = [:]
    var depth = 0
    var steps = 0

    init(text: UnsafePointer<UInt8>, tokens: UnsafeBufferPointer<Token>, defaultDB: String?) {
        self.text = text
        self.tokens = tokens
        self.defaultDB = defaultDB
    }

    // MARK: cursor

    @inline(__always)
    var current: Token { tokens[position] }

    /// The token `offset` places ahead; the `.end` sentinel past the last one.
    @inline(__always)
    func peek(_ offset: Int) -> Token { tokens[min(position + offset, tokens.count - 1)] }

    @inline(__always)
    mutating func advance() {
        steps += 1
        if position < tokens.count - 1 { position += 1 }
    }

    @inline(__always)
    var atEnd: Bool { current.kind == .end }

    /// At `;` or the end of the text.
    @inline(__always)
    var atStatementEnd: Bool { current.kind == .end || current.isPunctuation(UInt8(ascii: ";")) }

    @inline(__always)
    func at(_ keyword: Keyword) -> Bool { current.keyword == keyword }

    @inline(__always)
    func at(punctuation byte: UInt8) -> Bool { current.isPunctuation(byte) }

    @inline(__always)
    mutating func accept(_ keyword: Keyword) -> Bool {
        guard current.keyword == keyword else { return false }
        advance()
        return true
    }

    @inline(__always)
    mutating func accept(punctuation byte: UInt8) -> Bool {
        guard current.isPunctuation(byte) else { return false }
        advance()
        return true
    }

    /// The tables found, moved out (the recognizer's array is left empty, so the caller's copy is
    /// the only reference and can be sorted in place).
    mutating func takeTables() -> [TableRef] {
        defer { tables = [] }
        return tables
    }

    mutating func takeRoutines() -> [TableRef] {
        defer { routines = [] }
        return routines
    }

    // MARK: status

    /// A construct the recognizer does not model, or tables that cannot be seen.
    mutating func markPartial() {
        if status == .complete { status = .partial }
    }

    /// Not valid MySQL.
    mutating func markUnparsed() {
        status = .unparsed
    }

    /// Enters one level of recursion; false (and `unparsed`) past `maxDepth`.
    mutating func enter() -> Bool {
        depth += 1
        if depth > Self.maxDepth {
            markUnparsed()
            return false
        }
        return true
    }

    mutating func leave() { depth -= 1 }

    // MARK: names

    /// The unquoted text of a word or quoted identifier.
    func name(of index: Int) -> String {
        let token = tokens[index]
        let bytes = UnsafeBufferPointer(start: text + Int(token.start), count: Int(token.end - token.start))
        guard token.flags.contains(.escaped) else { return String(decoding: bytes, as: UTF8.self) }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(bytes.count)
        var skipNext = false
        for byte in bytes {
            if skipNext {
                skipNext = false
                continue
            }
            unescaped.append(byte)
            if byte == token.byte { skipNext = true }
        }
        return String(decoding: unescaped, as: UTF8.self)
    }

    /// Whether two name tokens spell the same name (byte for byte after unquoting, ASCII case ignored).
    func sameName(_ first: Int, _ second: Int) -> Bool {
        let lhs = tokens[first]
        let rhs = tokens[second]
        guard lhs.end - lhs.start == rhs.end - rhs.start else { return false }
        for offset in 0..<Int(lhs.end - lhs.start)
        where !text[Int(lhs.start) + offset].equalsIgnoringCase(text[Int(rhs.start) + offset]) {
            return false
        }
        return true
    }

    /// Whether an unqualified name is a CTE visible here.
    mutating func isVisibleCTE(_ nameIndex: Int) -> Bool {
        guard let candidates = visibleCTEsByHash[foldedHash(of: nameIndex)] else { return false }
        for cte in candidates.reversed() {
            steps += 1
            if sameName(cte, nameIndex) { return true }
        }
        return false
    }

    mutating func declareCTE(_ nameIndex: Int) {
        visibleCTEs.append(nameIndex)
        visibleCTEsByHash[foldedHash(of: nameIndex), default: []].append(nameIndex)
    }

    /// Drops the CTEs declared after the first `count`.
    mutating func dropCTEs(keeping count: Int) {
        while visibleCTEs.count > count {
            let hash = foldedHash(of: visibleCTEs.removeLast())
            visibleCTEsByHash[hash]?.removeLast()
            if visibleCTEsByHash[hash]?.isEmpty == true { visibleCTEsByHash[hash] = nil }
        }
    }

    private mutating func foldedHash(of index: Int) -> UInt64 {
        let token = tokens[index]
        steps += Int(token.end - token.start)
        var hash: UInt64 = 14_695_981_039_346_656_037
        for offset in Int(token.start)..<Int(token.end) {
            let byte = text[offset]
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            hash = (hash ^ UInt64(folded)) &* 1_099_511_628_211
        }
        return hash
    }

    mutating func addTable(_ name: QualifiedName, allowCTE: Bool = true) {
        guard namesSomething(name) else { return }
        if name.database == nil && allowCTE && !visibleCTEs.isEmpty && isVisibleCTE(name.table) { return }
        let database = name.database.map { self.name(of: $0) } ?? (defaultDB?.isEmpty == false ? defaultDB : nil)
        // Room for a few tables in the first allocation: growing from one table to two to four
        // cost an allocation and a copy each.
        if tables.isEmpty { tables.reserveCapacity(4) }
        tables.append(TableRef(db: database, name: self.name(of: name.table)))
    }

    mutating func addRoutine(_ name: QualifiedName) {
        guard namesSomething(name) else { return }
        let database = name.database.map { self.name(of: $0) } ?? (defaultDB?.isEmpty == false ? defaultDB : nil)
        routines.append(TableRef(db: database, name: self.name(of: name.table)))
    }

    /// MySQL refuses an empty quoted identifier (`` `db`.`` `` ``) as a name: such a statement is not
    /// valid, and the name is no table.
    private mutating func namesSomething(_ name: QualifiedName) -> Bool {
        let emptyDatabase = name.database.map { tokens[$0].start == tokens[$0].end } ?? false
        guard emptyDatabase || tokens[name.table].start == tokens[name.table].end else { return true }
        markUnparsed()
        return false
    }
}
