using FsCheck;
using FsCheck.Fluent;

namespace PdCluster.Tests.Fuzzing;

/// <summary>A mutation fuzzer's input for JSON readers: a valid document with one to six bit flips, deletions, cuts or inserted tokens.</summary>
internal static class JsonDamage
{
    private enum Kind { Flip, Delete, Insert, Cut }

    /// <summary>Damaged copies of <paramref name="valid"/>; an insertion puts one of <paramref name="tokens"/> in.</summary>
    public static Arbitrary<string> Of(string valid, string[] tokens) =>
        Gen.Choose(1, 6).SelectMany(n =>
            (from kind in Gen.Elements(Enum.GetValues<Kind>())
             from position in Gen.Choose(0, int.MaxValue)
             from token in Gen.Elements(tokens)
             select (kind, position, token)).ListOf(n))
        .Select(changes => changes.Aggregate(valid, Apply))
        .ToArbitrary();

    private static string Apply(string text, (Kind Kind, int Where, string Token) change)
    {
        var (kind, where, token) = change;
        var at = where % (text.Length + 1);
        return kind switch
        {
            Kind.Flip when at < text.Length => text[..at] + (char)(text[at] ^ (1 << (where % 7))) + text[(at + 1)..],
            Kind.Delete when at < text.Length => text.Remove(at, Math.Min(1 + where % 5, text.Length - at)),
            Kind.Cut => text[..at],
            _ => text.Insert(at, token),
        };
    }
}
