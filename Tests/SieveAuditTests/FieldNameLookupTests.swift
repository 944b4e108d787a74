import Testing

@testable import SieveAudit

@Suite("Field names recognised as packed words")
struct FieldNameLookupTests {
    static func json(_ name: String) -> AuditField? {
        Array(name.utf8).withUnsafeBytes { AuditField.byJSONKey($0) }
    }

    static func xml(_ name: String) -> AuditField? {
        Array(name.utf8).withUnsafeBytes { AuditField.byXMLName($0) }
    }

    @Test("every Percona field is found by its JSON key and its XML name, and no other field is")
    func everyPerconaField() {
        for field in AuditField.allCases {
            #expect(Self.json(field.key) == (field.isPercona ? field : nil), "\(field.key)")
            #expect(Self.xml(field.xmlName) == (field.isPercona ? field : nil), "\(field.xmlName)")
        }
        #expect(Self.json("startup_optionsi") == .startupOptions)
        #expect(Self.xml("STARTUP_OPTIONSI") == nil)
    }

    @Test("near misses are not fields: prefixes, extensions, case, padding, too long, empty")
    func nearMisses() {
        for field in AuditField.allCases where field.isPercona {
            let key = field.key
            #expect(Self.json(String(key.dropLast())) == nil, "\(key)")
            #expect(Self.json(key + "x") == nil, "\(key)")
            #expect(Self.json(key + "\0") == nil, "\(key)")
            #expect(Self.json("\0" + key) == nil, "\(key)")
            #expect(Self.json(key.uppercased()) == nil, "\(key)")
            #expect(Self.xml(key) == nil || key.uppercased() == key, "\(key)")
            #expect(Self.json(key + String(repeating: "_", count: 17 - key.count)) == nil, "\(key)")
        }
        #expect(Self.json("") == nil)
        #expect(Self.xml("") == nil)
        #expect(Self.json(String(repeating: "a", count: 300)) == nil)
    }
}
