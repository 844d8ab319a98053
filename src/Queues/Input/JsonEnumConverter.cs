using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PdCluster.Queues.Input;

/// <summary>
/// Reads an enum only by name (any case; <see cref="JsonStringEnumMemberNameAttribute"/> renames a member) and
/// refuses numbers, so <c>"linkType": 7</c> is an error listing the names; writes the name.
/// </summary>
public sealed class JsonEnumConverter<TEnum> : JsonConverter<TEnum> where TEnum : struct, Enum
{
    private static readonly (string Name, TEnum Value)[] Members =
        [.. Enum.GetValues<TEnum>().Select(v => (NameOf(v), v))];

    /// <summary>The names a value may take, as they are written.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Members.Select(m => m.Name)];

    /// <inheritdoc/>
    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString()!;
            foreach (var (name, value) in Members)
            {
                if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                    return value;
            }
            throw new JsonException($"must be one of {string.Join(", ", Names)} (got '{text}').");
        }
        var got = reader.TokenType switch
        {
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            JsonTokenType.Null => "null",
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "a list",
            var other => other.ToString(),
        };
        throw new JsonException($"must be one of {string.Join(", ", Names)}, written as a string (got {got}).");
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => writer.WriteStringValue(NameOf(value));

    private static string NameOf(TEnum value)
    {
        var name = value.ToString();
        return typeof(TEnum).GetField(name, BindingFlags.Public | BindingFlags.Static)?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? name;
    }
}
