import COpenSSL

/// SHA-256 through OpenSSL's `libcrypto`, which uses the CPU's SHA extensions where present.
/// The STARK's Merkle trees hash with it; nothing of OpenSSL appears in this API.
public enum SHA256 {
    /// Digest length in bytes.
    public static let digestLength = 32

    /// SHA-256 of `input` written to `out` (32 bytes); no allocation and no lock: a stack
    /// context with OpenSSL's block function (SHA extensions where the CPU has them). The
    /// one-shot `SHA256()` of OpenSSL 3 fetches the algorithm under a global lock per call,
    /// several times slower for the 64-byte inputs of Merkle trees.
    @inlinable
    public static func hash(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= digestLength, "SHA256 output buffer too small")
        var ctx = SHA256_CTX()
        SHA256_Init(&ctx)
        if input.count > 0 { SHA256_Update(&ctx, input.baseAddress, input.count) }
        SHA256_Final(out.baseAddress!.assumingMemoryBound(to: UInt8.self), &ctx)
    }

    /// SHA-256 of the bytes of `input`.
    public static func hash<Bytes: Sequence>(_ input: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        let bytes = Array(input)
        return [UInt8](unsafeUninitializedCapacity: digestLength) { out, count in
            bytes.withUnsafeBytes { hash($0, into: UnsafeMutableRawBufferPointer(out)) }
            count = digestLength
        }
    }
}

/// OpenSSL's SHA3-256 (FIPS 202). Not used by the protocol; it is the reference the
/// `keccak` benchmark measures Keccak-256 against, since both run the same permutation.
/// Not `Sendable`: one digest context, reused by every call; give each thread its own.
public final class OpenSSLSHA3_256 {
    private let md: OpaquePointer
    private let ctx: OpaquePointer

    /// Fetches the SHA3-256 implementation once.
    public init() {
        guard let md = EVP_MD_fetch(nil, "SHA3-256", nil), let ctx = EVP_MD_CTX_new() else {
            preconditionFailure("OpenSSL has no SHA3-256")
        }
        self.md = md
        self.ctx = ctx
    }

    deinit {
        EVP_MD_CTX_free(ctx)
        EVP_MD_free(md)
    }

    /// SHA3-256 of `input` into `out` (32 bytes), reusing one digest context.
    public func hash(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        var length: UInt32 = 0
        EVP_DigestInit_ex2(ctx, md, nil)
        EVP_DigestUpdate(ctx, input.baseAddress, input.count)
        EVP_DigestFinal_ex(ctx, out.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
    }
}
