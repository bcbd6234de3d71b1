import Hashing
import KoalaBear
import Primitives
import RISCV
import STARK

/// What a verified proof establishes about a run: which program ran on which input, what it
/// published and how it ended.
public struct Claims: Sendable, Equatable, CustomStringConvertible {
    /// The program (``Program/programId``).
    public var programId: Hash32
    /// ``Claims/digest(ofInputs:)`` of the input items.
    public var inputDigest: Hash32
    /// How many input items the guest read (HINT_READ).
    public var itemsRead: UInt32
    /// The bytes written to file descriptor 3.
    public var publicOutput: [UInt8]
    /// a0 at HALT.
    public var exitCode: UInt32
    /// Instructions executed, the final `ecall` included.
    public var cycles: UInt64
    /// Segment proofs the run was proven in.
    public var segments: UInt32

    public init(programId: Hash32, inputDigest: Hash32, itemsRead: UInt32, publicOutput: [UInt8], exitCode: UInt32,
                cycles: UInt64, segments: UInt32) {
        self.programId = programId
        self.inputDigest = inputDigest
        self.itemsRead = itemsRead
        self.publicOutput = publicOutput
        self.exitCode = exitCode
        self.cycles = cycles
        self.segments = segments
    }

    /// SHA-256 of the items' count and each item's length and bytes (lengths as 4-byte
    /// little-endian): the input a proof is about.
    public static func digest(ofInputs inputs: [[UInt8]]) -> Hash32 {
        var bytes: [UInt8] = []
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { bytes += $0 } }
        u32(inputs.count)
        for item in inputs {
            u32(item.count)
            bytes += item
        }
        return Hash32(SHA256.hash(bytes))!
    }

    public var description: String {
        "program \(programId), input \(inputDigest) (\(itemsRead) items read), exit code \(exitCode), \(cycles) cycles, "
            + "\(publicOutput.count) output bytes, \(segments) segment\(segments == 1 ? "" : "s")"
    }
}

/// A proof of a whole run: its claims, how the run is cut into segments, and one machine proof
/// per segment.
public struct ExecutionProof: Sendable, Equatable {
    public var claims: Claims
    /// Cycles per segment (a power of two; the last segment may be shorter).
    public var segmentCycles: UInt64
    /// The pc each segment after the first starts at.
    public var segmentStarts: [UInt32]
    public var segments: [MachineProof]

    public init(claims: Claims, segmentCycles: UInt64, segmentStarts: [UInt32], segments: [MachineProof]) {
        self.claims = claims
        self.segmentCycles = segmentCycles
        self.segmentStarts = segmentStarts
        self.segments = segments
    }
}

/// Why a proof was refused.
public enum VerificationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not a proof in this format (truncated, trailing bytes, a bad count or
    /// element, another version, over the size limit).
    case malformed(String)
    /// The proof is about another program.
    case wrongProgram(expected: Hash32, got: Hash32)
    /// The proof is about another input.
    case wrongInput(expected: Hash32, got: Hash32)
    /// The claims cannot describe a run of this program on this input.
    case impossibleClaims(String)
    /// A segment's machine proof does not verify.
    case invalid(segment: Int, reason: String)

    public var description: String {
        switch self {
        case .malformed(let m): return "malformed proof: \(m)"
        case .wrongProgram(let e, let g): return "the proof is for program \(g), not \(e)"
        case .wrongInput(let e, let g): return "the proof is for input \(g), not \(e)"
        case .impossibleClaims(let m): return "impossible claims: \(m)"
        case .invalid(let s, let r): return "segment \(s) does not verify: \(r)"
        }
    }
}

extension ExecutionProof {
    static let magic: [UInt8] = Array("PNZK".utf8)
    /// The format version this code writes and reads.
    public static let currentVersion: UInt8 = 2
    /// The default size limit of an encoded proof.
    public static let defaultMaxSize = 8 << 20
    /// The most segments a proof may have.
    public static let maxSegments = 4096

    /// The binary encoding: "PNZK", a version byte, the claims (program id, input digest,
    /// items read, exit code, cycles, segments, the output with its length), log2 of the segment
    /// size and the pc each segment after the first starts at, then each segment's machine proof
    /// with its length; little-endian fixed-width fields.
    public func serialized() -> [UInt8] {
        var out = ExecutionProof.magic + [ExecutionProof.currentVersion]
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        out += claims.programId.bytes
        out += claims.inputDigest.bytes
        u32(claims.itemsRead)
        u32(claims.exitCode)
        u64(claims.cycles)
        u32(UInt32(segments.count))
        u32(UInt32(claims.publicOutput.count))
        out += claims.publicOutput
        out.append(UInt8(truncatingIfNeeded: segmentCycles.trailingZeroBitCount))
        for pc in segmentStarts { u32(pc) }
        for s in segments {
            let bytes = s.serialized()
            u32(UInt32(bytes.count))
            out += bytes
        }
        return out
    }

    /// Strictly decodes a proof of at most `maxSize` bytes.
    public init(bytes: [UInt8], maxSize: Int = ExecutionProof.defaultMaxSize) throws(VerificationError) {
        guard bytes.count <= maxSize else { throw .malformed("\(bytes.count) bytes exceed the limit of \(maxSize)") }
        var at = 0
        func take(_ n: Int, _ what: String) throws(VerificationError) -> ArraySlice<UInt8> {
            guard n >= 0, bytes.count - at >= n else { throw .malformed("truncated at \(what)") }
            defer { at += n }
            return bytes[at..<(at + n)]
        }
        func u32(_ what: String) throws(VerificationError) -> UInt32 {
            try take(4, what).reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }
        func u64(_ what: String) throws(VerificationError) -> UInt64 {
            try take(8, what).reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        guard Array(try take(4, "magic")) == ExecutionProof.magic else { throw .malformed("not a ProverNet proof (bad magic)") }
        let version = try take(1, "version").first!
        guard version == ExecutionProof.currentVersion else {
            throw .malformed("unsupported proof version \(version) (this code reads \(ExecutionProof.currentVersion))")
        }
        let programId = Hash32(try take(32, "program id"))!
        let inputDigest = Hash32(try take(32, "input digest"))!
        let itemsRead = try u32("items read")
        let exitCode = try u32("exit code")
        let cycles = try u64("cycles")
        let segmentCount = Int(try u32("segment count"))
        guard segmentCount >= 1, segmentCount <= ExecutionProof.maxSegments else { throw .malformed("\(segmentCount) segments") }
        let outputCount = Int(try u32("output length"))
        let output = Array(try take(outputCount, "public output"))
        let logSegment = try take(1, "segment size").first!
        guard logSegment < 64 else { throw .malformed("segments of 2^\(logSegment) cycles") }
        var starts: [UInt32] = []
        for k in 1..<segmentCount { starts.append(try u32("segment \(k) start")) }
        var segments: [MachineProof] = []
        for k in 0..<segmentCount {
            let n = Int(try u32("segment \(k) length"))
            let body = Array(try take(n, "segment \(k)"))
            do { segments.append(try MachineProof(bytes: body, maxSize: maxSize)) } catch {
                throw .malformed("segment \(k): \(error)")
            }
        }
        guard at == bytes.count else { throw .malformed("\(bytes.count - at) trailing bytes") }
        self.init(claims: Claims(programId: programId, inputDigest: inputDigest, itemsRead: itemsRead, publicOutput: output,
                                 exitCode: exitCode, cycles: cycles, segments: UInt32(segmentCount)),
                  segmentCycles: 1 << UInt64(logSegment), segmentStarts: starts, segments: segments)
    }
}
