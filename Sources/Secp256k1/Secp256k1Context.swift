import CSecp256k1

#if canImport(Glibc)
import Glibc
#endif

/// The process's one secp256k1 context, randomized at creation against side channels.
/// libsecp256k1 contexts are safe to share between threads for signing and recovery.
final class Secp256k1Context: @unchecked Sendable {
    static let shared = Secp256k1Context()

    let pointer: OpaquePointer

    private init() {
        guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY)) else {
            preconditionFailure("secp256k1_context_create failed")
        }
        var seed = [UInt8](repeating: 0, count: 32)
        fillRandom(&seed)
        let ok = seed.withUnsafeBufferPointer { secp256k1_context_randomize(ctx, $0.baseAddress) }
        precondition(ok == 1, "secp256k1_context_randomize failed")
        pointer = ctx
    }

    deinit { secp256k1_context_destroy(pointer) }
}

/// Fills `bytes` from the kernel's CSPRNG.
func fillRandom(_ bytes: inout [UInt8]) {
    var rng = SystemRandomNumberGenerator()
    for i in bytes.indices { bytes[i] = UInt8.random(in: .min ... .max, using: &rng) }
}
