namespace PdCluster.Nic.SoftNic;

/// <summary>Receives a frame that no PD filter matched and no PD queue owns: the adapter's normal (OS) receive path.</summary>
/// <param name="rssHash">The Toeplitz hash the OS's RSS would spread it by.</param>
public delegate void OsPathHandler(ReadOnlySpan<byte> frame, uint rssHash);
