import CZstd

/// zstd compression for spool blocks, reusing one compression and one decompression context.
/// Not thread-safe: each `SpoolQueue` owns one codec and uses it under its lock.
final class ZstdCodec {
    private let compressionContext: OpaquePointer
    private let decompressionContext: OpaquePointer
    private let level: Int32

    init(level: Int32) {
        guard let cctx = ZSTD_createCCtx(), let dctx = ZSTD_createDCtx() else {
            fatalError("ZSTD_createCCtx/ZSTD_createDCtx returned NULL (out of memory)")
        }
        compressionContext = cctx
        decompressionContext = dctx
        self.level = level
    }

    deinit {
        ZSTD_freeCCtx(compressionContext)
        ZSTD_freeDCtx(decompressionContext)
    }

    /// Appends the zstd frame for `source` to `destination` and returns the frame's length.
    func compress(_ source: UnsafeRawBufferPointer, appendingTo destination: inout [UInt8]) throws -> Int {
        let start = destination.count
        let bound = ZSTD_compressBound(source.count)
        destination.append(contentsOf: repeatElement(0, count: bound))
        let written = destination.withUnsafeMutableBytes { output in
            ZSTD_compressCCtx(
                compressionContext, output.baseAddress! + start, bound, source.baseAddress, source.count, level)
        }
        if ZSTD_isError(written) != 0 {
            destination.removeLast(bound)
            throw SpoolError.compression(reason: String(cString: ZSTD_getErrorName(written)))
        }
        destination.removeLast(bound - written)
        return written
    }

    /// Decompresses one zstd frame that must expand to exactly `expectedLength` bytes.
    func decompress(_ source: UnsafeRawBufferPointer, expectedLength: Int) throws -> [UInt8] {
        let declared = ZSTD_getFrameContentSize(source.baseAddress, source.count)
        guard declared == UInt64(expectedLength) else {
            throw SpoolError.compression(reason: "frame declares \(declared) bytes, block header \(expectedLength)")
        }
        var output = [UInt8](repeating: 0, count: expectedLength)
        let produced = output.withUnsafeMutableBytes { buffer in
            ZSTD_decompressDCtx(
                decompressionContext, buffer.baseAddress, expectedLength, source.baseAddress, source.count)
        }
        if ZSTD_isError(produced) != 0 {
            throw SpoolError.compression(reason: String(cString: ZSTD_getErrorName(produced)))
        }
        guard produced == expectedLength else {
            throw SpoolError.compression(reason: "decompressed \(produced) bytes, expected \(expectedLength)")
        }
        return output
    }
}
