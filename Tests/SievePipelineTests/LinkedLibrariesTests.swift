import SievePipeline
import Testing

@Test("libzstd, libpcre2-8 and librdkafka are linked and report their versions")
func linkedLibraries() {
    #expect(LinkedLibraries.zstdVersion.split(separator: ".").count == 3)
    #expect(LinkedLibraries.pcre2Version.first?.isNumber == true)
    #expect(LinkedLibraries.rdkafkaVersion.split(separator: ".").count >= 3)
    #expect(LinkedLibraries.summary.contains("librdkafka \(LinkedLibraries.rdkafkaVersion)"))
}
