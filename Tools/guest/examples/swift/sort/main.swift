// Sorting guest. Input: one item, a list of 32-bit little-endian numbers.
// Public output: the same numbers in ascending order.
import ProverNetGuest

var values = Guest.readInputUInt32s()
values.sort()
Guest.commit(values)
print("sorted \(values.count) numbers")
