#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A pthread mutex; the spool needs no more than this. It is not always cheap to take: a queue
/// holds its `lock` over file I/O (a block's compression and write(2), reading blocks for `peek`,
/// creating and deleting segment files) and, under `fsync: .always`, over the fsyncs of
/// `append(_:commit:)` and `commit()`. Only `flush()` does its fsyncs with the lock released.
final class SpoolLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() {
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
