/// Why a `/tail` query was refused; the text goes back to the client.
struct TailFilterError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
