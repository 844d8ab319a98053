using System.Runtime.InteropServices;

namespace PdCluster.Provider.AfPacket;

/// <summary>One classic BPF instruction, the kernel's <c>struct sock_filter</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct SockFilter(ushort Code, byte JumpTrue, byte JumpFalse, uint K);
