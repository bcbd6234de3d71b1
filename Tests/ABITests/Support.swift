import ABI
import Primitives
import TestSupport

/// Bytes from hex text; whitespace, newlines and `0x` prefixes anywhere are ignored.
func hex(_ text: String) -> [UInt8] {
    let cleaned = text.split(whereSeparator: { $0.isWhitespace }).map { $0.hasPrefix("0x") ? String($0.dropFirst(2)) : String($0) }.joined()
    guard let bytes = [UInt8](hex: cleaned) else { fatalError("bad hex in test: \(text)") }
    return bytes
}

/// A 32-byte big-endian word holding `n`.
@_disfavoredOverload
func word(_ n: UInt64) -> [UInt8] { UInt256(n).bigEndianBytes }

/// A 32-byte word from a UInt256.
func word(_ n: UInt256) -> [UInt8] { n.bigEndianBytes }

/// `bytes` right-padded with zeros to a multiple of 32.
func padded(_ bytes: [UInt8]) -> [UInt8] { bytes + [UInt8](repeating: 0, count: (32 - bytes.count % 32) % 32) }

/// Random ABI types (nesting depth ≤ 3) and matching values.
struct Generator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) } }

    mutating func type(depth: Int = 0) -> ABIType {
        if depth >= 3 || chance(0.45) {
            switch int(0...6) {
            case 0: return .uint(8 * int(1...32))
            case 1: return .int(8 * int(1...32))
            case 2: return .address
            case 3: return .bool
            case 4: return .fixedBytes(int(1...32))
            case 5: return .bytes
            default: return .string
            }
        }
        switch int(0...2) {
        case 0: return .array(type(depth: depth + 1))
        case 1: return .fixedArray(type(depth: depth + 1), int(1...3))
        default: return .tuple((0..<int(1...3)).map { _ in type(depth: depth + 1) })
        }
    }

    mutating func types() -> [ABIType] { (0..<int(0...4)).map { _ in type() } }

    /// A random number of `bits` bits, biased towards the edges (0, 1, max).
    mutating func magnitude(bits: Int) -> UInt256 {
        let mask = bits == 256 ? UInt256.max : (UInt256.one << bits) &- .one
        switch int(0...5) {
        case 0: return .zero
        case 1: return .one
        case 2: return mask
        case 3: return UInt256(UInt64(int(0...1000))) & mask
        default:
            return UInt256(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next()) & mask
        }
    }

    mutating func value(_ t: ABIType) -> ABIValue {
        switch t {
        case .uint(let bits): return .uint(magnitude(bits: bits))
        case .int(let bits):
            var v = magnitude(bits: bits)
            if bits < 256, v.bit(bits - 1) { v = v | (UInt256.max << bits) }  // sign-extend
            if chance(0.2) { v = (UInt256.one << (bits - 1)) }                // the minimum value
            if bits < 256, v == UInt256.one << (bits - 1) { v = v | (UInt256.max << bits) }
            return .int(Int256(bitPattern: v))
        case .address: return .address(Address(bytes(20))!)
        case .bool: return .bool(chance(0.5))
        case .fixedBytes(let n): return .fixedBytes(bytes(n))
        case .bytes: return .bytes(bytes(int(0...70)))
        case .string:
            let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "\n", "\u{1}", "é", "€", "😀", "中", "\u{7f}"]
            return .string(String((0..<int(0...20)).map { _ in alphabet[int(0...alphabet.count - 1)] }))
        case .array(let e): return .array((0..<int(0...3)).map { _ in value(e) })
        case .fixedArray(let e, let k): return .array((0..<k).map { _ in value(e) })
        case .tuple(let ts): return .tuple(ts.map { value($0) })
        }
    }
}
