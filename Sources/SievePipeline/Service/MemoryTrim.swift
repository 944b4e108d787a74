#if canImport(Glibc)
    /// glibc's `malloc_trim` (malloc.h is not in the Glibc module).
    @_silgen_name("malloc_trim")
    private func glibcMallocTrim(_ pad: Int) -> Int32
#endif

/// Gives memory back to the system after a burst of unfinished frames is gone. glibc keeps freed
/// heap memory for reuse, so 2,000 connections each holding 256 KiB left the process at ~600 MiB
/// after they closed (docs/HOSTILE.md D7); `malloc_trim` returns the free pages. Called every second with
/// what the frame buffers hold now; trims when that fell by 16 MiB or more since its peak.
final class MemoryTrim: @unchecked Sendable {
    static let threshold = 16 << 20
    /// Only touched by the maintenance timer's serial queue.
    private var peak = 0

    func note(bufferedBytes: Int) {
        peak = max(peak, bufferedBytes)
        guard peak - bufferedBytes >= Self.threshold else { return }
        peak = bufferedBytes
        #if canImport(Glibc)
            _ = glibcMallocTrim(0)
        #endif
    }
}
