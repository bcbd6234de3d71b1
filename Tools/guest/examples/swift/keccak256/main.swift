// Keccak-256 guest. Input: one item, the message. Public output: its 32-byte Keccak-256 digest.
import ProverNetGuest

let digest = Keccak256.hash(Guest.readInput())
Guest.commit(digest)
print("keccak256 = \(hex(digest))")
