using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PdCluster.Actors.Framework;

/// <summary>Reads a record another node wrote to the store, where one that does not read (another version, a stray write) counts as absent.</summary>
internal static class StoredJson
{
    /// <summary>The record, or null when <paramref name="json"/> is not one.</summary>
    public static T? TryRead<T>(string json, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
