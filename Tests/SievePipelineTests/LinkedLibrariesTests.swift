import SievePipeline
import Testing

@Test("libzstd and libpcre2-8 are linked and report their versions")
func linkedLibraries() {
    #expect(LinkedLibraries.zstdVersion.split(separator: ".").count == 3)
    #expect(LinkedLibraries.pcre2Version.first?.isNumber == true)
}
