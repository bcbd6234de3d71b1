/// A minimal RV32 ELF: one executable PT_LOAD at 0x00200800 running `li t0, 0; ecall` (HALT),
/// 2 cycles. `variant` lands in a padding word, giving distinct programs with the same code.
public func haltELF(variant: UInt8 = 0) -> [UInt8] {
    func u16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    let code = u32(0x0000_0293) + u32(0x0000_0073) + [variant, 0, 0, 0]
    var elf: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
    elf += u16(2) + u16(0xF3) + u32(1) + u32(0x0020_0800) + u32(52) + u32(0) + u32(0) + u16(52) + u16(32) + u16(1) + u16(40) + u16(0) + u16(0)
    elf += u32(1) + u32(84) + u32(0x0020_0800) + u32(0x0020_0800) + u32(UInt32(code.count)) + u32(UInt32(code.count)) + u32(5) + u32(4)
    return elf + code
}
