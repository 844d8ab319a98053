namespace PdCluster.Actors.Kernel;

/// <summary>An Ask got a reply of a type other than the one asked for.</summary>
public sealed class AskTypeMismatchException(string message) : InvalidCastException(message);
