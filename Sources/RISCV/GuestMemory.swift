#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A flat, zero-initialized host mapping as large as guest memory (or its timestamp shadow).
///
/// The mapping is reserved lazily (`MAP_NORESERVE`): the operating system backs only the
/// pages a guest touches, so the whole 2 GiB address space costs nothing until used, and
/// every access is one bounds check and one host load or store.
final class HostMapping {
    let base: UnsafeMutableRawPointer
    let size: Int

    init(size: Int) {
        let page = 1 << 16
        let rounded = (size + page - 1) & ~(page - 1)
        #if canImport(Darwin)
        let flags = MAP_PRIVATE | MAP_ANON | MAP_NORESERVE
        #else
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
        #endif
        guard let p = mmap(nil, rounded, PROT_READ | PROT_WRITE, flags, -1, 0),
              p != UnsafeMutableRawPointer(bitPattern: -1)
        else {
            fatalError("zkVM: cannot reserve \(rounded) bytes of address space for guest memory (mmap failed)")
        }
        base = p
        self.size = rounded
    }

    deinit {
        munmap(base, size)
    }
}
