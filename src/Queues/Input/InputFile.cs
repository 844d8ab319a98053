using System.Text;

namespace PdCluster.Queues.Input;

/// <summary>
/// Opens and reads the files a user names (configurations, filters, requirements, captures): a missing file, a
/// directory, a file that cannot be read or one too large to be a configuration becomes an <see cref="InputException"/>
/// naming the file, never an exception of the file system.
/// </summary>
public static class InputFile
{
    /// <summary>The largest text file read, in characters: far above any configuration or a filter file of 100,000 filters.</summary>
    public const int MaxTextChars = 64 << 20;

    /// <summary>Reads all of <paramref name="path"/> as text.</summary>
    public static string ReadAllText(string path)
    {
        using var reader = new StreamReader(OpenRead(path), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var text = new StringBuilder();
        var chunk = new char[64 << 10];
        try
        {
            int read;
            while ((read = reader.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (text.Length + read > MaxTextChars)
                    throw new InputException(path, "", $"is larger than {MaxTextChars >> 20} MiB, too large to be a file pd reads.");
                text.Append(chunk, 0, read);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, "", $"cannot be read: {Reason(e)}");
        }
        return text.ToString();
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
