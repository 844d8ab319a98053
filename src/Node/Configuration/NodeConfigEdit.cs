using System.Text.Json;
using PdCluster.Queues.Input;

namespace PdCluster.Node.Configuration;

/// <summary>
/// Changes one value of a node configuration file where it stands: every other byte (comments, order, layout, non-ASCII
/// text) stays as the user wrote it, and the file is replaced atomically, so a failure leaves it untouched.
/// </summary>
internal static class NodeConfigEdit
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Sets <c>pd</c> of the adapter named <paramref name="adapter"/> in the file at <paramref name="path"/>; returns
    /// false when it already had that value (the file is not written). Every failure is a <see cref="ConfigException"/>
    /// naming the file and, where there is one, the key.
    /// </summary>
    public static bool SetPd(string path, string adapter, bool enabled, Func<string, UnixFileMode?, FileStream>? createTemp = null)
    {
        Read(path);
        using var edit = ConfigEditLock.Take(path);
        var original = Read(path);
        if (SetPd(original, adapter, enabled, path) is not { } edited)
            return false;
        try
        {
            AtomicFile.Replace(path, edited, createTemp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot write the change ({e.Message}); the file is unchanged.");
        }
        return true;
    }

    /// <summary>
    /// <paramref name="json"/> with the adapter's <c>pd</c> value replaced by the literal, or, when it has none, a
    /// <c>"pd"</c> member inserted after its name in the adapter's own layout; null when the value is already right.
    /// </summary>
    public static byte[]? SetPd(byte[] json, string adapter, bool enabled, string source)
    {
        var start = json.AsSpan().StartsWith(Bom) ? Bom.Length : 0;
        AdapterSpans match;
        try
        {
            match = FindAdapter(json.AsSpan(start), adapter, source);
        }
        catch (JsonException e)
        {
            throw new ConfigException(JsonInput.SyntaxError(source, e).Message);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader's word for a string that is no text (a lone surrogate escape); stray bytes were refused on reading.
            throw new ConfigException($"{source}: not valid UTF-8 JSON text: {e.Message}");
        }
        var literal = enabled ? "true"u8 : "false"u8;
        var text = json.AsSpan();
        var output = new List<byte>(json.Length + 16);
        if (match.Pd.Count > 0)
        {
            var unchanged = true;
            foreach (var (s, e) in match.Pd)
                unchanged &= text[(start + s)..(start + e)].SequenceEqual(literal);
            if (unchanged)
                return null;
            var at = 0;
            foreach (var (s, e) in match.Pd)
            {
                output.AddRange(text[at..(start + s)]);
                output.AddRange(literal);
                at = start + e;
            }
            output.AddRange(text[at..]);
            return [.. output];
        }

        // No "pd" yet: insert it after the name, spaced and indented as the adapter's own members are.
        var name = match.Members[match.NameMember];
        var colon = text.Slice(start + name.NameEnd, name.ValueStart - name.NameEnd);
        var separator = colon.IndexOfAnyExcept(" \t:"u8) < 0 && colon.Count((byte)':') == 1 ? colon : ": "u8;
        if (match.NameMember + 1 < match.Members.Count)
        {
            var next = start + match.Members[match.NameMember + 1].NameStart;
            output.AddRange(text[..next]);
            output.AddRange("\"pd\""u8);
            output.AddRange(separator);
            output.AddRange(literal);
            output.Add((byte)',');
            output.AddRange(LeadingSpace(text, next));
            output.AddRange(text[next..]);
        }
        else
        {
            var after = start + name.ValueEnd;
            output.AddRange(text[..after]);
            output.Add((byte)',');
            output.AddRange(LeadingSpace(text, start + name.NameStart));
            output.AddRange("\"pd\""u8);
            output.AddRange(separator);
            output.AddRange(literal);
            output.AddRange(text[after..]);
        }
        return [.. output];
    }

    /// <summary>The file's bytes, read and checked as every text file pd reads is (<see cref="InputFile.ReadUtf8"/>).</summary>
    private static byte[] Read(string path)
    {
        if (Directory.Exists(path))
            throw new ConfigException($"{path}: is a directory, not a configuration file.");
        try
        {
            return InputFile.ReadUtf8(path);
        }
        catch (InputException e)
        {
            throw new ConfigException(e.Message);
        }
    }

    /// <summary>The whitespace before the token at <paramref name="at"/>, from the line break before it if there is one: the indentation of a member.</summary>
    private static ReadOnlySpan<byte> LeadingSpace(ReadOnlySpan<byte> text, int at)
    {
        var from = at;
        while (from > 0 && text[from - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            from--;
        var run = text[from..at];
        var newline = run.LastIndexOf((byte)'\n');
        if (newline < 0)
            return run;
        return newline > 0 && run[newline - 1] == '\r' ? run[(newline - 1)..] : run[newline..];
    }

    /// <summary>Walks the file to <c>adapters</c> and returns the spans of the first adapter named <paramref name="adapter"/>.</summary>
    private static AdapterSpans FindAdapter(ReadOnlySpan<byte> json, string adapter, string source)
    {
        var reader = new Utf8JsonReader(json, Options);
        if (!reader.Read())
            throw new ConfigException($"{source}: the file is empty.");
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new ConfigException($"{source}: the file must hold one JSON object (it starts with {Describe(reader.TokenType)}).");
        AdapterSpans? match = null;
        List<string>? names = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isAdapters = reader.ValueTextEquals("adapters"u8);
            reader.Read();
            if (!isAdapters)
            {
                reader.Skip();
                continue;
            }
            if (reader.TokenType != JsonTokenType.StartArray)
                throw new ConfigException($"{source}: adapters: must be a list of adapters (it is {Describe(reader.TokenType)}).");
            // As the loader does, a repeated "adapters" counts as its last occurrence.
            names = [];
            match = null;
            for (var i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw new ConfigException($"{source}: adapters[{i}]: must be an object (it is {Describe(reader.TokenType)}).");
                var spans = ReadAdapter(ref reader);
                if (spans.Name is { } n)
                    names.Add(n);
                if (match is null && spans.Name == adapter)
                    match = spans;
            }
        }
        if (reader.Read())
            throw new ConfigException($"{source}: something follows the configuration's closing brace.");
        if (names is null)
            throw new ConfigException($"{source}: adapters: missing; there is no adapter to change.");
        return match ?? throw new ConfigException($"{source}: no adapter named '{adapter}' (configured: {string.Join(", ", names)}).");
    }

    /// <summary>One adapter object, the reader on its opening brace; leaves the reader on its closing brace.</summary>
    private static AdapterSpans ReadAdapter(ref Utf8JsonReader reader)
    {
        var spans = new AdapterSpans();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            var nameEnd = nameStart + reader.ValueSpan.Length + 2;
            var isName = reader.ValueTextEquals("name"u8);
            var isPd = reader.ValueTextEquals("pd"u8);
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            if (isName && reader.TokenType == JsonTokenType.String)
            {
                spans.Name = reader.GetString();
                spans.NameMember = spans.Members.Count;
            }
            var valueEnd = ValueEnd(ref reader);
            if (isPd)
                spans.Pd.Add((valueStart, valueEnd));
            spans.Members.Add(new Member(nameStart, nameEnd, valueStart, valueEnd));
        }
        return spans;
    }

    /// <summary>Where the value the reader is on ends (an object or array is skipped to its close).</summary>
    private static int ValueEnd(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                reader.Skip();
                return (int)reader.TokenStartIndex + 1;
            case JsonTokenType.String:
                return (int)reader.TokenStartIndex + reader.ValueSpan.Length + 2;
            default:
                return (int)reader.TokenStartIndex + reader.ValueSpan.Length;
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.Null => "null",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartArray => "a list",
        JsonTokenType.StartObject => "an object",
        _ => token.ToString(),
    };

    /// <summary>One member of an adapter object: where its name and value start and end.</summary>
    private readonly record struct Member(int NameStart, int NameEnd, int ValueStart, int ValueEnd);

    /// <summary>What the edit needs of one adapter: its name, its members, and the spans of its <c>pd</c> values.</summary>
    private sealed class AdapterSpans
    {
        public string? Name { get; set; }

        public int NameMember { get; set; }

        public List<Member> Members { get; } = [];

        public List<(int Start, int End)> Pd { get; } = [];
    }
}
