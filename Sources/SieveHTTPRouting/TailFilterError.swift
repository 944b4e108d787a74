/// Why a `/tail` query was refused; the text goes back to the client.
package struct TailFilterError: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) { self.description = description }
}
