namespace PdCluster.Provider.AfPacket;

/// <summary>
/// Writes a classic BPF program with forward labels: the opcodes <see cref="SocketFilterCompiler"/> needs, and jump
/// offsets resolved when the program is built (a conditional jump reaches at most 255 instructions ahead).
/// </summary>
internal sealed class ClassicBpfAssembler
{
    public const uint AncillaryPacketType = unchecked((uint)(-0x1000 + 4));
    public const uint AncillaryVlanTagPresent = unchecked((uint)(-0x1000 + 48));

    private const ushort Ld = 0x00, Ldx = 0x01, St = 0x02, Alu = 0x04, Jmp = 0x05, Ret = 0x06, Misc = 0x07;
    private const ushort W = 0x00, H = 0x08, B = 0x10;
    private const ushort Imm = 0x00, Abs = 0x20, Ind = 0x40, Mem = 0x60, Len = 0x80, Msh = 0xa0;
    private const ushort K = 0x00, X = 0x08;

    private readonly List<(ushort Code, int True, int False, uint K)> _code = [];
    private readonly List<int> _labels = [];

    /// <summary>The instructions written so far.</summary>
    public int Count => _code.Count;

    /// <summary>A label not yet placed.</summary>
    public int Label()
    {
        _labels.Add(-1);
        return _labels.Count - 1;
    }

    /// <summary>Places <paramref name="label"/> at the next instruction.</summary>
    public void Mark(int label) => _labels[label] = _code.Count;

    public void LoadWord(uint offset) => Emit(Ld | W | Abs, offset);

    public void LoadHalf(uint offset) => Emit(Ld | H | Abs, offset);

    public void LoadByte(uint offset) => Emit(Ld | B | Abs, offset);

    public void LoadHalfIndirect(uint offset) => Emit(Ld | H | Ind, offset);

    public void LoadByteIndirect(uint offset) => Emit(Ld | B | Ind, offset);

    public void LoadLength() => Emit(Ld | W | Len, 0);

    public void LoadConstant(uint value) => Emit(Ld | Imm, value);

    public void LoadMemory(uint slot) => Emit(Ld | Mem, slot);

    public void Store(uint slot) => Emit(St, slot);

    public void LoadXMemory(uint slot) => Emit(Ldx | Mem, slot);

    public void LoadXLength() => Emit(Ldx | W | Len, 0);

    /// <summary>X = 4 × (the low nibble of the byte at <paramref name="offset"/>): the IPv4 header length.</summary>
    public void LoadXHeaderLength(uint offset) => Emit(Ldx | B | Msh, offset);

    public void And(uint value) => Emit(Alu | 0x50 | K, value);

    public void Add(uint value) => Emit(Alu | 0x00 | K, value);

    public void SubtractX() => Emit(Alu | 0x10 | X, 0);

    public void ShiftRight(uint bits) => Emit(Alu | 0x70 | K, bits);

    public void ShiftLeft(uint bits) => Emit(Alu | 0x60 | K, bits);

    /// <summary>X = A.</summary>
    public void Tax() => Emit(Misc | 0x00, 0);

    /// <summary>A = X.</summary>
    public void Txa() => Emit(Misc | 0x80, 0);

    public void Return(uint value) => Emit(Ret | K, value);

    public void Jump(int label) => _code.Add((Jmp | 0x00, label, -1, 0));

    public void JumpIfEqual(uint value, int whenTrue, int whenFalse) => _code.Add((Jmp | 0x10 | K, whenTrue, whenFalse, value));

    public void JumpIfGreater(uint value, int whenTrue, int whenFalse) => _code.Add((Jmp | 0x20 | K, whenTrue, whenFalse, value));

    public void JumpIfGreaterOrEqual(uint value, int whenTrue, int whenFalse) => _code.Add((Jmp | 0x30 | K, whenTrue, whenFalse, value));

    public void JumpIfGreaterOrEqualX(int whenTrue, int whenFalse) => _code.Add((Jmp | 0x30 | X, whenTrue, whenFalse, 0));

    public void JumpIfGreaterX(int whenTrue, int whenFalse) => _code.Add((Jmp | 0x20 | X, whenTrue, whenFalse, 0));

    public void JumpIfAnySet(uint bits, int whenTrue, int whenFalse) => _code.Add((Jmp | 0x40 | K, whenTrue, whenFalse, bits));

    /// <summary>The program with every label resolved; a label never placed, behind its jump or out of reach is a bug here.</summary>
    public SockFilter[] Build()
    {
        var program = new SockFilter[_code.Count];
        for (var i = 0; i < program.Length; i++)
        {
            var (code, t, f, k) = _code[i];
            if ((code & 0x07) != Jmp)
            {
                program[i] = new SockFilter(code, 0, 0, k);
                continue;
            }
            if ((code & 0xf0) == 0x00)
            {
                program[i] = new SockFilter(code, 0, 0, (uint)Offset(i, t, int.MaxValue));
                continue;
            }
            program[i] = new SockFilter(code, (byte)Offset(i, t, 255), (byte)Offset(i, f, 255), k);
        }
        return program;
    }

    private void Emit(int code, uint k) => _code.Add(((ushort)code, -1, -1, k));

    private int Offset(int at, int label, int reach)
    {
        var target = _labels[label];
        var offset = target - at - 1;
        if (target < 0 || offset < 0 || offset > reach)
            throw new InvalidOperationException($"Classic BPF jump from {at} to label {label} at {target} is out of reach.");
        return offset;
    }
}
