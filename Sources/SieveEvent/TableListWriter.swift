import SieveSQL

/// Writes tables as JSON `[[db, table], …]`; an unqualified name with no default database has db `""`.
public enum TableListWriter {
    public static func write<Out: EventOutput>(_ tables: [TableRef], into out: inout Out) {
        out.write(UInt8(ascii: "["))
        for (index, table) in tables.enumerated() {
            if index > 0 { out.write(UInt8(ascii: ",")) }
            out.write(UInt8(ascii: "["))
            JSONStringWriter.writeQuoted(table.db ?? "", into: &out)
            out.write(UInt8(ascii: ","))
            JSONStringWriter.writeQuoted(table.name, into: &out)
            out.write(UInt8(ascii: "]"))
        }
        out.write(UInt8(ascii: "]"))
    }
}
