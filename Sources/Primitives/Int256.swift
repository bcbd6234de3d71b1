/// A 256-bit two's-complement signed integer, as Solidity's `int256` and the ABI use it.
/// Kept small on purpose: construction, sign, negation, comparison and text.
public struct Int256: Sendable, Hashable {
    /// The two's-complement bit pattern.
    public var bitPattern: UInt256

    /// A value from its two's-complement bit pattern.
    @inlinable public init(bitPattern: UInt256) { self.bitPattern = bitPattern }

    /// A value from a 64-bit signed integer.
    @inlinable
    public init(_ v: Int64) {
        let fill: UInt64 = v < 0 ? .max : 0
        bitPattern = UInt256(w0: UInt64(bitPattern: v), w1: fill, w2: fill, w3: fill)
    }

    public static let min = Int256(bitPattern: UInt256.one << 255)
    public static let max = Int256(bitPattern: ~(UInt256.one << 255))

    /// True below zero.
    @inlinable public var isNegative: Bool { bitPattern.w3 >> 63 == 1 }

    /// The absolute value as an unsigned number (2^255 for `min`).
    @inlinable
    public var magnitude: UInt256 { isNegative ? (~bitPattern) &+ .one : bitPattern }

    /// `-self`, wrapping for `min`.
    @inlinable
    public static prefix func - (v: Int256) -> Int256 { Int256(bitPattern: (~v.bitPattern) &+ .one) }

    /// The value `-magnitude` or `magnitude`, or nil when it does not fit.
    public init?(sign negative: Bool, magnitude: UInt256) {
        if negative {
            guard magnitude <= UInt256.one << 255 else { return nil }
            bitPattern = (~magnitude) &+ .one
        } else {
            guard magnitude < UInt256.one << 255 else { return nil }
            bitPattern = magnitude
        }
    }

    /// Whether the value fits in a signed integer of `bits` bits (8...256).
    public func fits(bits: Int) -> Bool {
        if bits >= 256 { return true }
        let limit = UInt256.one << (bits - 1)
        return isNegative ? magnitude <= limit : magnitude < limit
    }
}

extension Int256: Comparable {
    @inlinable
    public static func < (a: Int256, b: Int256) -> Bool {
        if a.isNegative != b.isNegative { return a.isNegative }
        return a.bitPattern < b.bitPattern
    }
}

extension Int256: CustomStringConvertible, LosslessStringConvertible {
    /// Decimal with a leading `-` when negative.
    public var description: String { (isNegative ? "-" : "") + magnitude.description }

    /// Parses optional `-` then decimal digits; nil on overflow or bad text.
    public init?(_ text: String) {
        let negative = text.hasPrefix("-")
        guard let m = UInt256(decimal: negative ? text.dropFirst() : text[...]) else { return nil }
        self.init(sign: negative, magnitude: m)
    }
}

extension Int256: ExpressibleByIntegerLiteral {
    @inlinable public init(integerLiteral value: Int64) { self.init(value) }
}
