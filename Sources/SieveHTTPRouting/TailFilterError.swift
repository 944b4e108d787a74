/// Why a `/tail` query was refused; the text goes back to the client.
public struct TailFilterError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
