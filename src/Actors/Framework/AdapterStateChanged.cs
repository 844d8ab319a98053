namespace PdCluster.Actors.Framework;

/// <summary>Published on the event stream whenever an adapter's state changes.</summary>
public sealed record AdapterStateChanged(string Adapter, AdapterState State, int FreeBuffers, int Buffers);
