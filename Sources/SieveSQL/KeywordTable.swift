/// How reserved a word is. MySQL rejects reserved words as unquoted names; words reserved only since
/// 5.7/8.0 (`RANK`, `LATERAL`, …) still name tables in older dumps, so they are accepted as table names
/// but never taken for an alias.
enum Reservation: UInt8 {
    case unreserved
    case softReserved
    case reserved
}

/// Case-insensitive lookup of a word's `Keyword`, by an FNV-style hash of its bytes with bit 5 cleared
/// (ASCII letters upper-cased)
/// into an open-addressed table built once. Words that are not in the list get `.none`.
struct KeywordTable: Sendable {
    static let shared = KeywordTable()

    struct Entry: Sendable {
        var hash: UInt32
        var offset: UInt16
        var length: UInt8
        var keyword: Keyword
        var reservation: Reservation
    }

    static let maxLength = 32
    private static let slotCount = 1024
    /// Index + 1 into `entries`; 0 is an empty slot.
    private let slots: [UInt16]
    private let entries: [Entry]
    /// Upper-case spellings, back to back.
    private let spellings: [UInt8]

    private init() {
        var slots = [UInt16](repeating: 0, count: Self.slotCount)
        var entries: [Entry] = []
        var spellings: [UInt8] = []
        for (word, keyword, reservation) in Self.words {
            let bytes = Array(word.utf8)
            var hash = Self.seed
            for byte in bytes { hash = Self.mix(hash, byte) }
            entries.append(
                Entry(
                    hash: hash, offset: UInt16(spellings.count), length: UInt8(bytes.count),
                    keyword: keyword, reservation: reservation))
            spellings += bytes
            var slot = Int(hash) & (Self.slotCount - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (Self.slotCount - 1) }
            slots[slot] = UInt16(entries.count)
        }
        self.slots = slots
        self.entries = entries
        self.spellings = spellings
    }

    static let seed: UInt32 = 2_166_136_261

    /// One step of the hash over a byte, folding ASCII letters to upper case.
    @inline(__always)
    static func mix(_ hash: UInt32, _ byte: UInt8) -> UInt32 {
        (hash ^ UInt32(byte & 0xDF)) &* 16_777_619
    }

    /// The entry for the word `bytes[start..<end]` whose hash (by `mix`) is `hash`, if it is listed.
    @inline(__always)
    func lookup(_ bytes: UnsafePointer<UInt8>, start: Int, end: Int, hash: UInt32) -> Entry? {
        var slot = Int(hash) & (Self.slotCount - 1)
        while true {
            let index = Int(slots[slot])
            if index == 0 { return nil }
            let entry = entries[index - 1]
            if entry.hash == hash && Int(entry.length) == end - start && matches(entry, bytes, start) {
                return entry
            }
            slot = (slot + 1) & (Self.slotCount - 1)
        }
    }

    @inline(__always)
    private func matches(_ entry: Entry, _ bytes: UnsafePointer<UInt8>, _ start: Int) -> Bool {
        let offset = Int(entry.offset)
        for index in 0..<Int(entry.length) where bytes[start + index] & 0xDF != spellings[offset + index] & 0xDF {
            return false
        }
        return true
    }
}
