using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace PdCluster.Node.Commands;

/// <summary>
/// Text from files and from the store made safe for a terminal: every control character (C0, DEL, C1), format
/// character (bidi overrides, zero-width marks), line or paragraph separator (U+2028, U+2029) and lone surrogate is
/// written as <c>\uXXXX</c>, so an id or value can
/// neither move the cursor, recolour, retitle nor reorder what pd prints. Every table cell and message goes through it.
/// </summary>
internal static partial class TerminalText
{
    /// <summary>The longest value a message quotes; a longer one is cut, saying how long it was.</summary>
    public const int MaxQuoted = 200;

    /// <summary><paramref name="text"/> with each character a terminal would act on written as <c>\uXXXX</c>.</summary>
    public static string Escape(string text)
    {
        if (!NeedsEscape(text))
            return text;
        var safe = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                safe.Append(c).Append(text[++i]);
                continue;
            }
            if (Acts(c))
                safe.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else
                safe.Append(c);
        }
        return safe.ToString();
    }

    /// <summary>A table cell showing <paramref name="text"/> as it is: escaped for the terminal and for Spectre's markup.</summary>
    public static string Cell(string text) => Markup.Escape(Escape(text));

    /// <summary>
    /// A message as pd prints it: each value it quotes ('…') cut to <see cref="MaxQuoted"/> characters, saying how
    /// long it was, and every character a terminal would act on escaped.
    /// </summary>
    public static string Message(string message) => Escape(Quoted().Replace(message, m =>
        $"'{m.Groups[1].Value[..MaxQuoted]}…' ({m.Groups[1].Value.Length.ToString("N0", CultureInfo.InvariantCulture)} characters)"));

    /// <summary>Writes <paramref name="line"/> to standard output as <see cref="Message"/> makes it.</summary>
    public static void Out(string line) => Console.WriteLine(Message(line));

    /// <summary>Writes <paramref name="line"/> to standard error as <see cref="Message"/> makes it.</summary>
    public static void Error(string line) => Console.Error.WriteLine(Message(line));

    /// <summary>A quoted value longer than <see cref="MaxQuoted"/> (201 characters or more).</summary>
    [GeneratedRegex("'([^']{201,})'", RegexOptions.CultureInvariant)]
    private static partial Regex Quoted();

    private static bool NeedsEscape(string text)
    {
        foreach (var c in text)
        {
            if (Acts(c))
                return true;
        }
        return false;
    }

    private static bool Acts(char c) =>
        char.IsControl(c) || char.IsSurrogate(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
