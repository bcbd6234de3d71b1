// SHA-256 guest. Input: one item, the message. Public output: its 32-byte SHA-256 digest.
import ProverNetGuest

let digest = SHA256.hash(Guest.readInput())
Guest.commit(digest)
print("sha256 = \(hex(digest))")
