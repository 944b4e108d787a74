/// A `tail` option that cannot make a request; the text is printed as is.
struct TailRequestError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
