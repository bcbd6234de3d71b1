import Hashing
import Keccak
import Testing
@testable import RISCV
import TestSupport

/// The example guests (Tools/guest/examples, built by Tools/guest/build.sh), in C and in
/// Embedded Swift, checked against the host's own computation.
@Suite struct GuestTests {
    static let languages = ["c", "swift"]

    func execute(_ guest: String, _ inputs: [[UInt8]]) throws -> ExecutionResult {
        try Executor(program: Guests.program(guest + ".elf"), inputs: inputs, options: ExecutionOptions(maxCycles: 50_000_000)).run()
    }

    static func fibonacci(_ n: UInt32) -> UInt64 {
        var (a, b): (UInt64, UInt64) = (0, 1)
        for _ in 0..<n { (a, b) = (b, a &+ b) }
        return a
    }

    @Test(arguments: languages)
    func fibonacci(_ language: String) throws {
        for n: UInt32 in [0, 1, 2, 10, 93, 94, 1000] {
            let r = try execute("\(language)/fibonacci", [le32(n)])
            let expected = Self.fibonacci(n)
            #expect(r.exitCode == 0)
            #expect(r.publicOutput == (0..<8).map { UInt8(truncatingIfNeeded: expected >> (8 * UInt64($0))) }, "fib(\(n))")
            #expect(String(decoding: r.stdout, as: UTF8.self) == "fib(\(n)) = \(expected)\n")
        }
    }

    static func messages() -> [[UInt8]] {
        var rng = SplitMix64(seed: 7)
        var out: [[UInt8]] = [[], Array("abc".utf8)]
        for n in [55, 56, 63, 64, 65, 119, 135, 136, 137, 1000] {
            out.append((0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        return out
    }

    @Test(arguments: languages)
    func sha256(_ language: String) throws {
        for m in Self.messages() {
            let r = try execute("\(language)/sha256", [m])
            let expected = SHA256.hash(m)
            #expect(r.exitCode == 0)
            #expect(r.publicOutput == expected, "SHA-256 of \(m.count) bytes")
            #expect(String(decoding: r.stdout, as: UTF8.self) == "sha256 = \(expected.map { String(format: "%02x", $0) }.joined())\n")
        }
    }

    @Test(arguments: languages)
    func keccak256(_ language: String) throws {
        for m in Self.messages() {
            let r = try execute("\(language)/keccak256", [m])
            #expect(r.exitCode == 0)
            #expect(r.publicOutput == Keccak256.hash(m), "Keccak-256 of \(m.count) bytes")
        }
    }

    @Test(arguments: languages)
    func sort(_ language: String) throws {
        var rng = SplitMix64(seed: 11)
        let lists: [[UInt32]] = [
            [], [42], [3, 1, 2], [UInt32.max, 0, 0x8000_0000, 0x7fff_ffff, 1],
            (0..<300).map { _ in UInt32.random(in: 0...20, using: &rng) },  // many duplicates
            (0..<500).map { _ in UInt32.random(in: .min ... .max, using: &rng) },
            Array((0..<200).reversed()).map(UInt32.init),
        ]
        for list in lists {
            let r = try execute("\(language)/sort", [list.flatMap(le32)])
            #expect(r.exitCode == 0)
            #expect(r.publicOutput == list.sorted().flatMap(le32), "sorting \(list.count) numbers")
            #expect(String(decoding: r.stdout, as: UTF8.self) == "sorted \(list.count) numbers\n")
        }
    }

    static func merkleRoot(_ leaves: [[UInt8]]) -> [UInt8] {
        var level = leaves
        while level.count > 1 {
            var next: [[UInt8]] = []
            for i in stride(from: 0, to: level.count - 1, by: 2) { next.append(SHA256.hash(level[i] + level[i + 1])) }
            if level.count % 2 == 1 { next.append(level[level.count - 1]) }
            level = next
        }
        return level[0]
    }

    @Test(arguments: languages)
    func merkle(_ language: String) throws {
        var rng = SplitMix64(seed: 13)
        for count in [1, 2, 3, 4, 5, 8, 13] {
            let leaves = (0..<count).map { _ in (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) } }
            let r = try execute("\(language)/merkle", [leaves.flatMap { $0 }])
            #expect(r.exitCode == 0)
            #expect(r.publicOutput == Self.merkleRoot(leaves), "root of \(count) leaves")
        }
    }

    @Test(arguments: languages)
    func guestsReportBadInputThroughTheirExitCode(_ language: String) throws {
        let short = try execute("\(language)/merkle", [[1, 2, 3]])
        #expect(short.exitCode == 2)
        #expect(String(decoding: short.stderr, as: UTF8.self).contains("32-byte leaves"))
        // No input at all: the SDK panics with exit code 101 and a message.
        let none = try execute("\(language)/sha256", [])
        #expect(none.exitCode == 101)
        #expect(String(decoding: none.stderr, as: UTF8.self).contains("no input item left"))
    }

    @Test func tracedGuestRunsMatchUntracedOnes() throws {
        let program = try Guests.program("c/sha256.elf")
        let input = [(0..<300).map { UInt8(truncatingIfNeeded: $0) }]
        let plain = try Executor(program: program, inputs: input).run()
        let traced = try Executor(program: program, inputs: input, options: ExecutionOptions(recordTrace: true)).run()
        #expect(plain.publicOutput == traced.publicOutput && plain.cycles == traced.cycles)
        let t = try #require(traced.trace)
        #expect(t.count == Int(traced.cycles))
        #expect(t[0].pc == program.entry)
        // Every row holds a real instruction, and the last one is the HALT ecall.
        let words = t.withRows { rows in rows.map(\.instruction) }
        #expect(!words.contains(0))
        #expect(words.last == 0x0000_0073)
        #expect(t.syscalls.last?.id == Syscall.halt.rawValue)
    }

    @Test func programIdsDifferBetweenGuests() throws {
        var ids = Set<String>()
        for language in Self.languages {
            for name in ["fibonacci", "sha256", "keccak256", "sort", "merkle"] {
                ids.insert(try Guests.program("\(language)/\(name).elf").programId.description)
            }
        }
        #expect(ids.count == 10)
    }
}
