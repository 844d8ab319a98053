using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace PdCluster.Queues.Input;

/// <summary>
/// Opens and reads the files a user names (configurations, filters, requirements, captures): a missing file, a
/// directory, a file that cannot be read or one too large to be a configuration becomes an <see cref="InputException"/>
/// naming the file, never an exception of the file system.
/// </summary>
public static class InputFile
{
    /// <summary>The largest text file read, in bytes: far above any configuration or a filter file of 100,000 filters.</summary>
    public const int MaxTextBytes = 64 << 20;

    /// <summary>Reads all of <paramref name="path"/> as UTF-8 text (<see cref="ReadUtf8"/>) of at most <paramref name="maxBytes"/>, without a byte-order mark.</summary>
    public static string ReadAllText(string path, int maxBytes = MaxTextBytes)
    {
        var bytes = ReadUtf8(path, maxBytes);
        var bom = Encoding.UTF8.Preamble;
        return Encoding.UTF8.GetString(bytes.AsSpan().StartsWith(bom) ? bytes.AsSpan(bom.Length) : bytes);
    }

    /// <summary>
    /// Reads all of <paramref name="path"/>, which must be UTF-8 text (a UTF-8 byte-order mark is allowed and kept) of at
    /// most <paramref name="maxBytes"/> (<see cref="MaxTextBytes"/> unless a smaller document is expected): every file pd
    /// reads as text (configuration, filters, requirements, rules) is read here, so all of them take and refuse the same
    /// files, and a UTF-16 file is named as such instead of misread.
    /// </summary>
    public static byte[] ReadUtf8(string path, int maxBytes = MaxTextBytes)
    {
        var bytes = ReadBounded(path, maxBytes);
        ReadOnlySpan<byte> text = bytes;
        if (text.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || text.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || text.StartsWith((ReadOnlySpan<byte>)[0, 0, 0xFE, 0xFF]))
            throw new InputException(path, "", "is UTF-16 or UTF-32 text (it starts with a byte-order mark of one); pd reads UTF-8 only: save the file as UTF-8.");
        var nul = text.IndexOf((byte)0);
        if (nul >= 0)
            throw new InputException(path, "", $"holds a NUL byte at offset {nul}, which UTF-8 text does not (is it UTF-16?); pd reads UTF-8 only: save the file as UTF-8.");
        if (!Utf8.IsValid(text))
            throw new InputException(path, "", $"is not UTF-8 text: the bytes at offset {FirstInvalid(text)} are no UTF-8 character; pd reads UTF-8 only: save the file as UTF-8.");
        return bytes;
    }

    /// <summary>The whole file, refused once it grows past <paramref name="maxBytes"/> (an endless device such as /dev/zero too).</summary>
    private static byte[] ReadBounded(string path, int maxBytes)
    {
        using var stream = OpenRead(path);
        var bytes = new MemoryStream();
        var chunk = new byte[64 << 10];
        try
        {
            int read;
            while ((read = stream.Read(chunk)) > 0)
            {
                if (bytes.Length + read > maxBytes)
                    throw new InputException(path, "", $"is larger than {Size(maxBytes)}, too large to be a file pd reads.");
                bytes.Write(chunk, 0, read);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, "", $"cannot be read: {Reason(e)}");
        }
        return bytes.ToArray();
    }

    private static string Size(int bytes) => bytes >= 1 << 20 ? $"{bytes >> 20} MiB" : $"{bytes >> 10} KiB";

    private static int FirstInvalid(ReadOnlySpan<byte> bytes)
    {
        var at = 0;
        while (Rune.DecodeFromUtf8(bytes[at..], out _, out var consumed) == OperationStatus.Done)
            at += consumed;
        return at;
    }

    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    public static FileStream OpenRead(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new InputException("(no file)", "", "a file name is empty.");
        if (Directory.Exists(path))
            throw new InputException(path, "", "is a directory, not a file.");
        if (FileKind.IsPipe(path))
            throw new InputException(path, "", "is a FIFO or socket, not a file.");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException(path, "", "no such file.");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InputException(path, "", "cannot be read: permission denied.");
        }
        catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException)
        {
            throw new InputException(path, "", $"cannot be opened: {Reason(e)}");
        }
    }

    /// <summary>The system's reason without the " : 'path'" .NET appends, since the message names the file already.</summary>
    private static string Reason(Exception e)
    {
        var message = e.Message;
        var quoted = message.LastIndexOf(" : '", StringComparison.Ordinal);
        return (quoted > 0 ? message[..quoted] : message).TrimEnd('.') + ".";
    }
}
