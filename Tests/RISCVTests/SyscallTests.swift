import Testing
@testable import RISCV

/// The system calls (Pico/SP1 ABI) and the trace's layout.
@Suite struct SyscallTests {
    /// Stores `bytes` at dataBase + offset with sb instructions (s1 = dataBase).
    func storeBytes(_ bytes: [UInt8], at offset: Int32 = 0) -> [UInt32] {
        var code = Asm.li(s1, dataBase)
        for (i, b) in bytes.enumerated() { code += [Asm.addi(a3, zero, Int32(b)), Asm.store("sb", a3, offset + Int32(i), s1)] }
        return code
    }

    func write(fd: UInt32, offset: UInt32 = 0, count: UInt32) -> [UInt32] {
        Asm.li(a0, fd) + Asm.li(a1, dataBase + offset) + Asm.li(a2, count) + Asm.syscall(Syscall.write.rawValue)
    }

    @Test func writeSendsBytesToEachStream() throws {
        var code = storeBytes(Array("out,err,pub!".utf8))
        code += write(fd: 1, count: 3) + write(fd: 2, offset: 4, count: 3) + write(fd: 3, offset: 8, count: 4)
        code += write(fd: 1, offset: 3, count: 0) + write(fd: 3, count: 3)
        let (_, r) = try run(code)
        #expect(r.stdout == Array("out".utf8))
        #expect(r.stderr == Array("err".utf8))
        #expect(r.publicOutput == Array("pub!out".utf8))
    }

    @Test func systemCallsPreserveEveryRegisterButTheResult() throws {
        var code: [UInt32] = []
        for r in UInt32(1)...31 where r != 2 { code += Asm.li(r, 0x1000 + r) }
        code += [Asm.addi(t0, zero, Int32(Syscall.commit.rawValue)), Asm.addi(a0, zero, 3), Asm.ecall]
        let (e, r) = try run(code)
        for (i, v) in e.registers.enumerated() where ![0, 2, 5, 10].contains(i) { #expect(v == 0x1000 + UInt32(i), "x\(i)") }
        #expect(r.committedDigest == [0, 0, 0, 0x100b, 0, 0, 0, 0])  // a1 = 0x1000 + 11
    }

    @Test func hintLengthAndReadConsumeItemsInOrder() throws {
        let inputs: [[UInt8]] = [[1, 2, 3, 4, 5], [], [0xaa, 0xbb, 0xcc]]
        var code: [UInt32] = []
        // t0 → s0: length of item 0; read it at dataBase + 1 (unaligned is fine).
        code += Asm.syscall(Syscall.hintLength.rawValue) + [Asm.add(s0, t0, zero)]
        code += Asm.li(a0, dataBase + 1) + Asm.li(a1, 5) + Asm.syscall(Syscall.hintRead.rawValue)
        code += Asm.syscall(Syscall.hintLength.rawValue) + [Asm.add(s1, t0, zero)]
        code += Asm.li(a0, dataBase + 64) + Asm.li(a1, 0) + Asm.syscall(Syscall.hintRead.rawValue)
        code += Asm.syscall(Syscall.hintLength.rawValue) + [Asm.add(a3, t0, zero)]
        code += Asm.li(a0, dataBase + 8) + Asm.li(a1, 3) + Asm.syscall(Syscall.hintRead.rawValue)
        code += Asm.syscall(Syscall.hintLength.rawValue) + [Asm.add(a2, t0, zero)]
        let (e, _) = try run(code, data: [0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee], inputs: inputs)
        #expect(e.registers[Int(s0)] == 5)
        #expect(e.registers[Int(s1)] == 0)
        #expect(e.registers[Int(a3)] == 3)
        #expect(e.registers[Int(a2)] == 0xffff_ffff)  // none left
        #expect(e.readMemory(at: dataBase, count: 12) == [0xee, 1, 2, 3, 4, 5, 0xee, 0, 0xaa, 0xbb, 0xcc, 0])
    }

    @Test func haltReportsTheExitCodeAndCountsItsCycle() throws {
        let (_, r) = try run(Asm.li(a0, 0xdead_beef))
        #expect(r.exitCode == 0xdead_beef)
        #expect(r.cycles == 4)
        #expect(r.programId == (try makeProgram(Asm.li(a0, 0xdead_beef) + Asm.halt)).programId)
    }

    @Test func traceRowsRecordRegistersAndMemory() throws {
        let code: [UInt32] = Asm.li(s1, dataBase) + [  // 0, 1
            Asm.addi(a1, zero, 77),  // 2
            Asm.sw(a1, 4, s1),  // 3: word dataBase + 4, previously 0x04030201 from the image (ts 0)
            Asm.load("lbu", a2, 5, s1),  // 4: the same word, last written at timestamp 4
            Asm.store("sb", a1, 7, s1),  // 5
            Asm.add(zero, a1, a1),  // 6: x0 destination
            Asm.branch("beq", zero, zero, 8),  // 7 → 9
            Asm.ebreak,  // 8: skipped
        ]
        let (_, r) = try run(code, data: [0, 0, 0, 0, 1, 2, 3, 4], trace: true)
        let t = try #require(r.trace)
        #expect(t.count == Int(r.cycles))
        #expect(t.count == 8 + 2)
        #expect(MemoryLayout<TraceRow>.stride == 36)
        #expect(t[0] == TraceRow(pc: pcOf(0), instruction: code[0], rdValue: dataBase))  // lui
        #expect(t[2] == TraceRow(pc: pcOf(2), instruction: code[2], rdValue: 77))
        #expect(t[3] == TraceRow(pc: pcOf(3), instruction: code[3], rs1Value: dataBase, rs2Value: 77,
                                 memoryAddress: dataBase + 4, memoryValue: 77, memoryPrevious: 0x0403_0201,
                                 memoryPreviousTimestamp: 0))
        #expect(t[4] == TraceRow(pc: pcOf(4), instruction: code[4], rs1Value: dataBase, rdValue: 0,
                                 memoryAddress: dataBase + 4, memoryValue: 77, memoryPrevious: 77, memoryPreviousTimestamp: 4))
        #expect(t[5] == TraceRow(pc: pcOf(5), instruction: code[5], rs1Value: dataBase, rs2Value: 77,
                                 memoryAddress: dataBase + 4, memoryValue: 0x4d00_004d, memoryPrevious: 77,
                                 memoryPreviousTimestamp: 5))
        #expect(t[6] == TraceRow(pc: pcOf(6), instruction: code[6], rs1Value: 77, rs2Value: 77, rdValue: 0))
        #expect(t[7] == TraceRow(pc: pcOf(7), instruction: code[7]))
        #expect(t[8].pc == pcOf(9))  // the HALT sequence after the taken branch
        #expect(t[9] == TraceRow(pc: pcOf(10), instruction: Asm.ecall))
        #expect(t.syscalls == [SyscallRecord(timestamp: 10, id: 0, arguments: (0, 77, 0), result: 0,
                                             firstMemoryEvent: 0, memoryEventCount: 0)])
        t.withRows { rows in
            #expect(rows.count == 10)
            #expect(rows[3].memoryValue == 77)
        }
    }

    @Test func traceRecordsSystemCallMemory() throws {
        var code = storeBytes([0x41, 0x42, 0x43, 0x44, 0x45], at: 2)  // "ABCDE" at dataBase + 2 (timestamps 3…12)
        code += Asm.li(a0, dataBase + 3) + Asm.li(a1, 6) + Asm.syscall(Syscall.hintRead.rawValue)
        code += write(fd: 3, offset: 2, count: 5)
        let (_, r) = try run(code, inputs: [[1, 2, 3, 4, 5, 6]], trace: true)
        let t = try #require(r.trace)
        #expect(t.syscalls.count == 3)
        let read = t.syscalls[0], write = t.syscalls[1]
        #expect(read.id == Syscall.hintRead.rawValue && read.arguments == (dataBase + 3, 6, 0))
        #expect(read.memoryEventCount == 3 && read.firstMemoryEvent == 0)  // bytes 3…8: words 0, 4, 8
        let hint = Array(t.syscallMemory[0..<3])
        #expect(hint.map(\.address) == [dataBase, dataBase + 4, dataBase + 8])
        #expect(hint[0].previous == 0x4241_0000 && hint[0].value == 0x0141_0000)
        #expect(hint[1].previous == 0x0045_4443 && hint[1].value == 0x0504_0302)
        #expect(hint[2].previous == 0 && hint[2].value == 0x0000_0006 && hint[2].previousTimestamp == 0)
        #expect(hint.allSatisfy { $0.timestamp == read.timestamp })
        #expect(hint[0].previousTimestamp > 0 && hint[0].previousTimestamp < read.timestamp)
        // WRITE reads words 0 and 4 (bytes 2…6): value == previous, stamped after HINT_READ.
        #expect(write.firstMemoryEvent == 3 && write.memoryEventCount == 2)
        let out = Array(t.syscallMemory[3..<5])
        #expect(out.allSatisfy { $0.value == $0.previous && $0.previousTimestamp == read.timestamp })
        #expect(r.publicOutput == [0x41, 0x01, 0x02, 0x03, 0x04])
    }

    @Test func aTraceCanBeReused() throws {
        let program = try makeProgram(Asm.li(a0, 5) + [Asm.addi(a0, a0, -1), Asm.branch("bne", a0, zero, -4)] + Asm.halt)
        let trace = Trace(capacity: 4)
        let first = try Executor(program: program).run(recordingInto: trace)
        let rows = trace.withRows { Array($0) }
        #expect(first.trace === trace)
        #expect(rows.count == Int(first.cycles))
        #expect(trace.reservedCapacity >= rows.count)
        _ = try Executor(program: program).run(recordingInto: trace)
        #expect(trace.withRows { Array($0) } == rows)
        #expect(trace.syscalls.count == 1)
        trace.removeAll()
        #expect(trace.count == 0 && trace.syscalls.isEmpty)
    }

    @Test func syscallEnumNamesTheABI() {
        #expect(Syscall.allCases.map(\.rawValue) == [0x00, 0x02, 0x10, 0xF0, 0xF1])
        #expect(Syscall.allCases.map(\.name) == ["HALT", "WRITE", "COMMIT", "HINT_LEN", "HINT_READ"])
    }
}
