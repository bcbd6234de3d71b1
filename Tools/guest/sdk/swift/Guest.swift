// ProverNet guest SDK for Embedded Swift: the module `ProverNetGuest`.
//
// A thin layer over the C SDK (sdk/c/provernet.h, imported as `CProverNet`), which owns the
// system calls, the start-up code, the heap and the output buffering. Swift's own `print`
// writes to the guest's standard output through the C runtime's `putchar`.
import CProverNet

/// What a ProverNet guest can do besides computing: read input items, write the public output,
/// print, and exit.
public enum Guest {
    /// The length in bytes of the next input item, or nil when every item has been read.
    public static func nextInputLength() -> Int? {
        let n = pn_input_len()
        return n < 0 ? nil : Int(n)
    }

    /// Reads the next input item; panics when none is left.
    public static func readInput() -> [UInt8] {
        guard let n = nextInputLength() else { panic("readInput: no input item left") }
        return [UInt8](unsafeUninitializedCapacity: n) { buffer, count in
            pn_input_read(buffer.baseAddress, n)
            count = n
        }
    }

    /// Reads the next input item, which must be exactly 4 bytes, as a little-endian number.
    public static func readInputUInt32() -> UInt32 {
        pn_input_u32()
    }

    /// Reads the next input item as little-endian 32-bit numbers; panics if its length is not a
    /// multiple of 4.
    public static func readInputUInt32s() -> [UInt32] {
        let bytes = readInput()
        if bytes.count % 4 != 0 { panic("readInputUInt32s: the length is not a multiple of 4") }
        var values = [UInt32](repeating: 0, count: bytes.count / 4)
        for i in 0..<values.count {
            values[i] = UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8
                | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24
        }
        return values
    }

    /// Appends bytes to the public output, which the proof binds.
    public static func commit(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { pn_commit($0.baseAddress, $0.count) }
    }

    /// Appends a number, little-endian, to the public output.
    public static func commit(_ value: UInt32) { pn_commit_u32(value) }

    /// Appends a number, little-endian, to the public output.
    public static func commit(_ value: UInt64) { pn_commit_u64(value) }

    /// Appends numbers, each little-endian, to the public output.
    public static func commit(_ values: [UInt32]) {
        values.withUnsafeBytes { pn_commit($0.baseAddress, $0.count) }
    }

    /// Writes text to standard error.
    public static func printError(_ text: String) {
        var text = text
        text.withUTF8 { pn_write(2, $0.baseAddress, $0.count) }
    }

    /// Flushes standard output and halts with `code` as the exit code.
    public static func exit(_ code: UInt32) -> Never {
        pn_exit(code)
    }

    /// Writes `message` to standard error and halts with exit code 101.
    public static func panic(_ message: String) -> Never {
        printError(message + "\n")
        pn_exit(101)
    }
}
