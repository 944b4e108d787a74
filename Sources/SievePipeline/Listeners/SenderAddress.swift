import SieveRules

/// Textual IP addresses to the bytes cluster matching compares (for `explain --sender`).
public enum SenderAddress {
    public static func parse(_ text: String) -> [UInt8]? { CIDRBlock.parseAddress(text) }
}
