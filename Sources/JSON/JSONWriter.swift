extension JSONValue {
    /// Compact JSON text.
    public var text: String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Compact JSON as UTF-8 bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(to: &out)
        return out
    }

    /// Appends compact JSON to `out`: no whitespace, members in order, strings escaped as
    /// RFC 8259 requires (quote, backslash, control characters), everything else as UTF-8.
    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: JSONWriter.null)
        case .bool(let b): out.append(contentsOf: b ? JSONWriter.true : JSONWriter.false)
        case .number(let n): out.append(contentsOf: n.text.utf8)
        case .string(let s): JSONWriter.writeString(s, to: &out)
        case .array(let items):
            out.append(0x5b)
            var first = true
            for v in items {
                if !first { out.append(0x2c) }
                first = false
                v.write(to: &out)
            }
            out.append(0x5d)
        case .object(let members):
            out.append(0x7b)
            var first = true
            for (k, v) in members {
                if !first { out.append(0x2c) }
                first = false
                JSONWriter.writeString(k, to: &out)
                out.append(0x3a)
                v.write(to: &out)
            }
            out.append(0x7d)
        }
    }

    /// Appends compact JSON to `out`.
    public func write(to out: inout String) {
        out += text
    }
}

/// String escaping shared by the writer.
public enum JSONWriter {
    static let null = Array("null".utf8)
    static let `true` = Array("true".utf8)
    static let `false` = Array("false".utf8)
    static let hex = Array("0123456789abcdef".utf8)

    /// Appends `s` as a quoted JSON string.
    public static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        var s = s
        s.withUTF8 { buf in
            var runStart = 0
            for (i, c) in buf.enumerated() where c < 0x20 || c == 0x22 || c == 0x5c {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<i]))
                runStart = i + 1
                out.append(0x5c)
                switch c {
                case 0x22: out.append(0x22)
                case 0x5c: out.append(0x5c)
                case 0x0a: out.append(0x6e)
                case 0x0d: out.append(0x72)
                case 0x09: out.append(0x74)
                default:
                    out.append(contentsOf: [0x75, 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xf)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart...]))
        }
        out.append(0x22)
    }
}
