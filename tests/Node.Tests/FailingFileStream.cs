namespace PdCluster.Tests.Node;

/// <summary>A temporary file on a disk that fills up: the first <c>room</c> bytes are written, then writing fails as a full disk does.</summary>
internal sealed class FailingFileStream(string path, int room) : FileStream(path, FileMode.CreateNew, FileAccess.Write)
{
    private int _room = room;

    // FileStream routes every write of a derived class, spans included, through this overload.
    public override void Write(byte[] buffer, int offset, int count)
    {
        var fits = Math.Min(_room, count);
        base.Write(buffer, offset, fits);
        _room -= fits;
        if (fits < count)
            throw new IOException("No space left on device");
    }
}
