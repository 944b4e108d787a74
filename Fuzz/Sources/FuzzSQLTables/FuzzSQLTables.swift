import FuzzSupport
import SieveSQL

/// The input is a statement's text. It is read under four servers' settings (version, ANSI_QUOTES,
/// NO_BACKSLASH_ESCAPES, with and without a default database); the lists must be sorted without
/// duplicates, no name (database or table) empty, and the work linear in the input.
let variants: [(options: SQLOptions, defaultDB: String?)] = [
    (SQLOptions(), "app"),
    (SQLOptions(serverVersion: 50744, ansiQuotes: true), nil),
    (SQLOptions(noBackslashEscapes: true), "db"),
    (SQLOptions(sqlMode: "ANSI,NO_BACKSLASH_ESCAPES", serverVersion: 100_611), nil),
]

/// Bytes and tokens visited per input byte (plus a little for tiny inputs). Fuzzing measured at most
/// about 2.5; quadratic work on an input of a few hundred bytes or more would pass this bound.
let stepsPerByte = 16

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSQLTables(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    for (options, defaultDB) in variants {
        var steps = 0
        let extraction = TableExtractor.extract(input, defaultDB: defaultDB, options: options, steps: &steps)
        fuzzCheck(
            steps <= stepsPerByte * (input.count + 16), "\(steps) steps for \(input.count) bytes under \(options)")
        for list in [extraction.tables, extraction.routines] {
            fuzzCheck(zip(list, list.dropFirst()).allSatisfy { $0 < $1 }, "not sorted without duplicates: \(list)")
            fuzzCheck(list.allSatisfy { !$0.name.isEmpty && $0.db?.isEmpty != true }, "an empty name in \(list)")
        }
    }
    return 0
}
