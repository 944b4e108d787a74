import CPCRE2
import CRdKafka
import CZstd

/// The C libraries auditsieve links (zstd for the spool, PCRE2 for table rules, librdkafka for the
/// Kafka sink), with the versions
/// found at run time, for `--version` and the start-up log.
public enum LinkedLibraries {
    public static var zstdVersion: String { String(cString: ZSTD_versionString()) }

    public static var pcre2Version: String {
        var buffer = [UInt8](repeating: 0, count: 64)
        let length = buffer.withUnsafeMutableBytes { pcre2_config_8(UInt32(PCRE2_CONFIG_VERSION), $0.baseAddress) }
        guard length > 1 else { return "unknown" }
        return String(decoding: buffer.prefix(Int(length) - 1), as: UTF8.self)
    }

    public static var rdkafkaVersion: String { String(cString: rd_kafka_version_str()) }

    public static var summary: String { "zstd \(zstdVersion), pcre2 \(pcre2Version), librdkafka \(rdkafkaVersion)" }
}
