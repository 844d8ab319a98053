using Spectre.Console;
using Spectre.Console.Rendering;

namespace PdCluster.Node.Commands;

/// <summary>
/// Writes what a command shows: on a terminal as Spectre lays it out; to a pipe or a file a table's title and caption
/// are lines of their own, whole, since Spectre wraps them at the table's width and a script reads them by line.
/// </summary>
internal static class TableOutput
{
    /// <summary>Writes <paramref name="shown"/> to <paramref name="console"/>.</summary>
    public static void Write(IAnsiConsole console, IRenderable shown)
    {
        if (console.Profile.Out.IsTerminal || shown is not Table { } table || (table.Title is null && table.Caption is null))
        {
            console.Write(shown);
            return;
        }
        var title = table.Title;
        var caption = table.Caption;
        table.Title = null;
        table.Caption = null;
        if (title is not null)
            console.Profile.Out.Writer.WriteLine(Markup.Remove(title.Text));
        console.Write(table);
        if (caption is not null)
            console.Profile.Out.Writer.WriteLine(Markup.Remove(caption.Text));
    }
}
