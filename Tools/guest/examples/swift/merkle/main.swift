// Merkle-root guest. Input: one item, the leaves (32 bytes each, at least one).
// Public output: the 32-byte root. Each level hashes pairs, SHA-256(left || right); an odd last
// node moves up unchanged; a single leaf is its own root. Exit code 2 for a malformed input.
import ProverNetGuest

let input = Guest.readInput()
if input.isEmpty || input.count % 32 != 0 {
    Guest.printError("merkle: the input must be one or more 32-byte leaves\n")
    Guest.exit(2)
}
var level: [[UInt8]] = []
var offset = 0
while offset < input.count {
    level.append(Array(input[offset..<offset + 32]))
    offset += 32
}
print("merkle root of \(level.count) leaves")
while level.count > 1 {
    var next: [[UInt8]] = []
    var i = 0
    while i + 1 < level.count {
        next.append(SHA256.hash(level[i] + level[i + 1]))
        i += 2
    }
    if level.count % 2 == 1 { next.append(level[level.count - 1]) }
    level = next
}
Guest.commit(level[0])
