// Fibonacci guest. Input: one item, n as a 4-byte little-endian number.
// Public output: F(n) mod 2^64, 8 bytes little-endian.
import ProverNetGuest

let n = Guest.readInputUInt32()
var a: UInt64 = 0
var b: UInt64 = 1
var i: UInt32 = 0
while i < n {
    (a, b) = (b, a &+ b)
    i &+= 1
}
Guest.commit(a)
print("fib(\(n)) = \(a)")
