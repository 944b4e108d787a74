/// How the server that ran a statement reads SQL text: its version (for `/*!NNNNN … */` comments)
/// and the `sql_mode` flags that change the token stream.
public struct SQLOptions: Sendable, Equatable, Hashable {
    /// `/*!NNNNN … */` is code when NNNNN ≤ this (MySQL's 5-digit form, e.g. 80036 for 8.0.36).
    public var serverVersion: Int
    /// `"…"` quotes an identifier, not a string.
    public var ansiQuotes: Bool
    /// `\` is an ordinary character inside strings.
    public var noBackslashEscapes: Bool

    public init(serverVersion: Int = 80036, ansiQuotes: Bool = false, noBackslashEscapes: Bool = false) {
        self.serverVersion = serverVersion
        self.ansiQuotes = ansiQuotes
        self.noBackslashEscapes = noBackslashEscapes
    }

    /// Reads a `sql_mode` comma list (`ANSI` implies `ANSI_QUOTES`); unknown modes are ignored.
    public init(sqlMode: String, serverVersion: Int = 80036) {
        let modes = Set(sqlMode.uppercased().split(separator: ",").map { $0.trimmingCharacters(in: " ") })
        self.init(
            serverVersion: serverVersion,
            ansiQuotes: modes.contains("ANSI_QUOTES") || modes.contains("ANSI"),
            noBackslashEscapes: modes.contains("NO_BACKSLASH_ESCAPES")
        )
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(self.drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
