/// One lexical token: a slice of the statement text plus what the recognizer needs to know about it,
/// 12 bytes so that a statement's tokens fit in one small buffer.
struct Token {
    enum Kind: UInt8 {
        /// An unquoted identifier or keyword.
        case word
        /// `` `name` `` (or `"name"` under ANSI_QUOTES); `start..<end` excludes the quotes.
        case quotedIdentifier
        case string
        case number
        /// `@name`, `@'name'`, `@@scope.name`.
        case variable
        /// `?`.
        case placeholder
        /// A single byte of punctuation or an operator character, in `byte`.
        case punctuation
        /// The sentinel after the last token.
        case end
    }

    struct Flags: OptionSet {
        let rawValue: UInt8
        /// A word MySQL rejects as an unquoted name (`Reservation.reserved`).
        static let reserved = Flags(rawValue: 1)
        /// Reserved only since 5.7/8.0: accepted as a table name, never taken for an alias.
        static let softReserved = Flags(rawValue: 2)
        /// A quoted identifier whose text holds a doubled quote to undo.
        static let escaped = Flags(rawValue: 4)
        /// A word right after `.`: always an identifier, whatever it spells.
        static let afterDot = Flags(rawValue: 8)
    }

    var start: UInt32
    var end: UInt32
    var kind: Kind
    var keyword: Keyword
    var flags: Flags
    /// The punctuation byte, or the opening quote of a quoted identifier.
    var byte: UInt8

    @inline(__always)
    func isPunctuation(_ character: UInt8) -> Bool { kind == .punctuation && byte == character }

    /// Whether the token can be an unquoted or quoted name of a table.
    var canNameTable: Bool {
        switch kind {
        case .quotedIdentifier: end > start
        case .word: !flags.contains(.reserved)
        default: false
        }
    }

    /// Whether the token can be an alias written without `AS`.
    var canBeBareAlias: Bool {
        switch kind {
        case .quotedIdentifier: true
        case .word: flags.isDisjoint(with: [.reserved, .softReserved]) || flags.contains(.afterDot)
        default: false
        }
    }
}
