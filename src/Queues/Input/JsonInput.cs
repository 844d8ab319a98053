using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PdCluster.Queues.Input;

/// <summary>
/// Reads a user's JSON file against the source-generated contract of its type, checking the whole tree before it
/// binds: every error is an <see cref="InputException"/> naming the file, the key path (<c>adapters[0].queues</c>)
/// and the problem. <c>null</c> is never a value (leave a key out for its default), each value must have its
/// type's JSON kind, whole numbers must fit their type, keys must be known and appear once, required keys present,
/// and enums are names only (see <see cref="JsonEnumConverter{TEnum}"/>). What a value means is the caller's to check.
/// </summary>
public static class JsonInput
{
    private static readonly ConditionalWeakTable<JsonTypeInfo, ObjectKeys> Keys = new();

    /// <summary>
    /// Parses, checks and binds <paramref name="json"/>; <paramref name="file"/> names it in errors.
    /// <paramref name="inspect"/>, when given, sees the parsed root before the checks, to refuse a document as a whole
    /// (one from a newer pd, say) by throwing.
    /// </summary>
    public static T Read<T>(string json, JsonTypeInfo<T> typeInfo, string file, Action<JsonElement>? inspect = null)
    {
        if (json.AsSpan().Trim().IsEmpty)
            throw new InputException(file, "", $"it is empty; it must hold {Expected(typeInfo)}.");
        var options = new JsonDocumentOptions
        {
            CommentHandling = typeInfo.Options.ReadCommentHandling == JsonCommentHandling.Disallow ? JsonCommentHandling.Disallow : JsonCommentHandling.Skip,
            AllowTrailingCommas = typeInfo.Options.AllowTrailingCommas,
        };
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, options);
        }
        catch (JsonException e)
        {
            throw SyntaxError(file, e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind == JsonValueKind.Null)
                throw new InputException(file, "", $"the file holds null; it must hold {Expected(typeInfo)}.");
            inspect?.Invoke(document.RootElement);
            Check(document.RootElement, typeInfo, "", file);
            try
            {
                return document.Deserialize(typeInfo)!;
            }
            catch (JsonException e)
            {
                throw new InputException(file, KeyOf(e.Path), WithoutPosition(e.Message));
            }
        }
    }

    /// <summary>
    /// The <c>schemaVersion</c> of a versioned document (its parsed <paramref name="root"/>) when it is a number above
    /// <paramref name="current"/>: a document from a newer pd, to refuse as such before its unknown keys could be taken
    /// for typos. Null otherwise.
    /// </summary>
    public static long? NewerSchemaVersion(JsonElement root, int current) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("schemaVersion", out var version)
            && version.ValueKind == JsonValueKind.Number && version.TryGetInt64(out var number) && number > current
            ? number
            : null;

    private static void Check(JsonElement element, JsonTypeInfo typeInfo, string path, string file)
    {
        switch (typeInfo.Kind)
        {
            case JsonTypeInfoKind.Object:
                ExpectKind(element, JsonValueKind.Object, typeInfo, path, file);
                CheckObject(element, typeInfo, path, file);
                break;
            case JsonTypeInfoKind.Enumerable:
                ExpectKind(element, JsonValueKind.Array, typeInfo, path, file);
                var item = typeInfo.Options.GetTypeInfo(typeInfo.ElementType!);
                var index = 0;
                foreach (var child in element.EnumerateArray())
                {
                    var key = $"{path}[{index++}]";
                    if (child.ValueKind == JsonValueKind.Null)
                        throw new InputException(file, key, "must not be null.");
                    Check(child, item, key, file);
                }
                break;
            case JsonTypeInfoKind.Dictionary:
                ExpectKind(element, JsonValueKind.Object, typeInfo, path, file);
                var value = typeInfo.Options.GetTypeInfo(typeInfo.ElementType!);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var key = Child(path, property.Name);
                    if (!seen.Add(property.Name))
                        throw new InputException(file, key, "appears twice.");
                    if (property.Value.ValueKind == JsonValueKind.Null)
                        throw new InputException(file, key, "must not be null.");
                    Check(property.Value, value, key, file);
                }
                break;
            default:
                CheckValue(element, typeInfo, path, file);
                break;
        }
    }

    private static void CheckObject(JsonElement element, JsonTypeInfo typeInfo, string path, string file)
    {
        var (properties, strict) = Keys.GetValue(typeInfo, ObjectKeys.Of);
        var seen = new HashSet<string>(properties.Comparer);
        foreach (var member in element.EnumerateObject())
        {
            var key = Child(path, member.Name);
            if (!seen.Add(member.Name))
                throw new InputException(file, key, "appears twice.");
            if (!properties.TryGetValue(member.Name, out var property))
            {
                if (strict)
                    throw new InputException(file, key, $"is not a key here (known: {string.Join(", ", properties.Keys)}).");
                continue;
            }
            if (member.Value.ValueKind == JsonValueKind.Null)
                throw new InputException(file, key, property.IsRequired ? "must not be null." : "must not be null (leave the key out to use its default).");
            // A property with a converter of its own is that converter's to check, when the tree binds.
            if (property.CustomConverter is null)
                Check(member.Value, typeInfo.Options.GetTypeInfo(property.PropertyType), key, file);
        }
        foreach (var property in typeInfo.Properties.Where(p => p.IsRequired && !seen.Contains(p.Name)))
            throw new InputException(file, Child(path, property.Name), "is required.");
    }

    private static void CheckValue(JsonElement element, JsonTypeInfo typeInfo, string path, string file)
    {
        var type = Nullable.GetUnderlyingType(typeInfo.Type) ?? typeInfo.Type;
        if (type == typeof(string))
        {
            ExpectKind(element, JsonValueKind.String, typeInfo, path, file);
            try
            {
                element.GetString();
            }
            catch (InvalidOperationException)
            {
                throw new InputException(file, path, "is not valid Unicode text: it holds half of a surrogate pair (an escape such as \\ud800 with no partner).");
            }
        }
        else if (type == typeof(bool))
        {
            if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                throw Wrong(element, typeInfo, path, file);
        }
        else if (WholeNumberRange(type) is var (min, max))
        {
            if (element.ValueKind != JsonValueKind.Number)
                throw Wrong(element, typeInfo, path, file);
            var fits = type == typeof(ulong) ? element.TryGetUInt64(out _) : element.TryGetInt64(out var number) && number >= min && number <= max;
            if (!fits)
                throw Wrong(element, typeInfo, path, file);
        }
        else if (type == typeof(double) || type == typeof(float))
        {
            if (element.ValueKind != JsonValueKind.Number || !double.IsFinite(element.GetDouble()))
                throw Wrong(element, typeInfo, path, file);
        }
        else
        {
            Bind(element, typeInfo, path, file);
        }
    }

    /// <summary>A value whose type has its own converter (an enum): binding it is the check.</summary>
    private static void Bind(JsonElement element, JsonTypeInfo typeInfo, string path, string file)
    {
        try
        {
            element.Deserialize(typeInfo);
        }
        catch (JsonException e)
        {
            throw new InputException(file, path, WithoutPosition(e.Message));
        }
    }

    private static void ExpectKind(JsonElement element, JsonValueKind kind, JsonTypeInfo typeInfo, string path, string file)
    {
        if (element.ValueKind != kind)
            throw Wrong(element, typeInfo, path, file);
    }

    private static InputException Wrong(JsonElement element, JsonTypeInfo typeInfo, string path, string file) =>
        new(file, path, path.Length == 0
            ? $"the file must hold {Expected(typeInfo)} (got {Describe(element)})."
            : $"must be {Expected(typeInfo)} (got {Describe(element)}).");

    /// <summary>What a value of <paramref name="typeInfo"/> is, in words.</summary>
    private static string Expected(JsonTypeInfo typeInfo)
    {
        var type = Nullable.GetUnderlyingType(typeInfo.Type) ?? typeInfo.Type;
        return typeInfo.Kind switch
        {
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "a JSON object",
            JsonTypeInfoKind.Enumerable => "a JSON list",
            _ when type == typeof(string) => "a string",
            _ when type == typeof(bool) => "true or false",
            _ when WholeNumberRange(type) is var (min, max) => $"a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}",
            _ => "a number",
        };
    }

    private static (decimal Min, decimal Max)? WholeNumberRange(Type type) =>
        type == typeof(byte) ? (byte.MinValue, byte.MaxValue)
        : type == typeof(sbyte) ? (sbyte.MinValue, sbyte.MaxValue)
        : type == typeof(short) ? (short.MinValue, short.MaxValue)
        : type == typeof(ushort) ? (ushort.MinValue, ushort.MaxValue)
        : type == typeof(int) ? (int.MinValue, int.MaxValue)
        : type == typeof(uint) ? (uint.MinValue, uint.MaxValue)
        : type == typeof(long) ? (long.MinValue, long.MaxValue)
        : type == typeof(ulong) ? (ulong.MinValue, ulong.MaxValue)
        : null;

    /// <summary>A JSON value as an error message quotes it.</summary>
    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"'{Shorten(element.GetString()!)}'",
        JsonValueKind.Number => Shorten(element.GetRawText()),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        _ => element.ValueKind.ToString(),
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>System.Text.Json's <c>$.adapters[0].queues</c> as this project writes keys: <c>adapters[0].queues</c>.</summary>
    private static string KeyOf(string? path) => (path ?? "$").TrimStart('$').TrimStart('.');

    /// <summary>A syntax error in <paramref name="file"/> as every reader of the project words it: line and column from 1.</summary>
    public static InputException SyntaxError(string file, JsonException e) =>
        new(file, "", $"line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}: {WithoutPosition(e.Message)}");

    /// <summary>A System.Text.Json message without the " Path: … | LineNumber: …" or " LineNumber: …" it appends.</summary>
    private static string WithoutPosition(string message)
    {
        foreach (var marker in new[] { " Path: ", " LineNumber: " })
        {
            var at = message.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
                message = message[..at];
        }
        return message;
    }

    /// <summary>
    /// The keys an object contract knows (a property marked [JsonIgnore] stays in the contract with neither accessor: it
    /// is not a key of the file) and whether others are refused; kept per contract, as a store holds thousands of
    /// documents of one type.
    /// </summary>
    private sealed record ObjectKeys(Dictionary<string, JsonPropertyInfo> Properties, bool Strict)
    {
        public static ObjectKeys Of(JsonTypeInfo typeInfo)
        {
            var comparer = typeInfo.Options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
            return new(typeInfo.Properties.Where(p => p.Get is not null || p.Set is not null).ToDictionary(p => p.Name, comparer),
                (typeInfo.UnmappedMemberHandling ?? typeInfo.Options.UnmappedMemberHandling) == JsonUnmappedMemberHandling.Disallow);
        }
    }
}
