
namespace PdCluster.Provider;

/// <summary>A batch of receive filters was refused because of one of them; <see cref="Index"/> says which, and nothing in the batch took effect.</summary>
public sealed class PdReceiveFilterRefusedException(PdStatus status, int index, string message) : PdException(status, message)
{
    /// <summary>The refused filter's position in the batch's filters to set.</summary>
    public int Index { get; } = index;
}
