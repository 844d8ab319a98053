
namespace PdCluster.Provider;

/// <summary>A PD call was refused; <see cref="Status"/> says why in PD's terms.</summary>
public class PdException(PdStatus status, string message) : InvalidOperationException(message)
{
    /// <summary>Why the call was refused.</summary>
    public PdStatus Status { get; } = status;
}
