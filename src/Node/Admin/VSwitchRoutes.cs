using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PdCluster.Node.Hosting;
using PdCluster.Queues.Input;
using PdCluster.Vfp;
using PdCluster.VSwitch.Store;

namespace PdCluster.Node.Admin;

/// <summary>
/// The admin endpoint's routes for the VM switch's records in the node's store (what <c>pd vswitch</c>, <c>pd vm</c> and
/// <c>pd vfp</c> call with <c>--endpoint</c>): each change is checked by <see cref="VSwitchCatalog"/> and answers its
/// revision, or 400 with the problem and nothing written (a VFP rule is added by POSTing its document to
/// <c>/vswitch/ports/{port}/rules</c>, removed by DELETE on <c>…/rules/{id}</c>, listed by <c>GET /vswitch/rules[?port=]</c>); <c>GET /vswitch/status</c> is the live state of the node's switches.
/// </summary>
internal static class VSwitchRoutes
{
    public static void Map(WebApplication app, INodeAdmin node)
    {
        var catalog = node.VSwitches;
        app.MapGet("/vswitch/ports", async (CancellationToken cancel) =>
        {
            try
            {
                return Results.Json(await catalog.ListPortsAsync(cancel), AdminJson.Default.IReadOnlyListPortListing);
            }
            catch (VSwitchRefusedException e)
            {
                return Results.Json(new AdminError(e.Message), AdminJson.Default.AdminError, statusCode: 409);
            }
        });
        app.MapGet("/vswitch/status", async () => Results.Json(await node.SwitchStatusAsync(), AdminJson.Default.IReadOnlyListSwitchStatus));
        app.MapPost("/vswitch/switches", (HttpRequest request, CancellationToken cancel) => Change(async () =>
        {
            var body = await ReadAsync(request, VSwitchBodyJson.Default.SwitchCreate, cancel);
            // The node asked can tell a typo from an adapter: it refuses one it has neither as an adapter nor as a team.
            var (name, adapters) = node.SwitchAdapters;
            if (VSwitchRecords.NameProblem("adapter", body.Adapter) is null && !adapters.Contains(body.Adapter, StringComparer.Ordinal))
                throw new VSwitchRefusedException($"--adapter: node {name} has no adapter or team '{body.Adapter}' (its own: {string.Join(", ", adapters)}); "
                    + "a switch on another node's adapter is made through that node's endpoint, or with --etcd.");
            return await catalog.CreateSwitchAsync(body.Name, body.Adapter, body.AllowManagementOs, cancel);
        }));
        app.MapDelete("/vswitch/switches/{name}", (string name, CancellationToken cancel) => Change(() => catalog.RemoveSwitchAsync(name, cancel)));
        app.MapPut("/vswitch/switches/{name}/extensions/{extension}", (string name, string extension, CancellationToken cancel) =>
            Change(() => catalog.EnableExtensionAsync(name, extension, cancel)));
        app.MapPost("/vswitch/vms/{vm}/adapters", (string vm, HttpRequest request, CancellationToken cancel) => Change(async () =>
        {
            var body = await ReadAsync(request, VSwitchBodyJson.Default.VmAdapterAdd, cancel);
            return await catalog.AddAdapterAsync(vm, body.Switch, body.StaticMac, cancel, body.Address);
        }));
        app.MapDelete("/vswitch/vms/{vm}", (string vm, CancellationToken cancel) => Change(() => catalog.RemoveVmAsync(vm, cancel)));
        app.MapGet("/vswitch/switches", async (CancellationToken cancel) => Results.Json(await catalog.ListSwitchesAsync(cancel), AdminJson.Default.IReadOnlyListSwitchListing));
        app.MapGet("/vswitch/vms", async (CancellationToken cancel) => Results.Json(await catalog.ListVmsAsync(cancel), AdminJson.Default.IReadOnlyListVmListing));
        app.MapPost("/vswitch/vms/{vm}/start", (string vm, CancellationToken cancel) => Change(() => catalog.SetRunningAsync(vm, true, cancel)));
        app.MapPost("/vswitch/vms/{vm}/stop", (string vm, CancellationToken cancel) => Change(() => catalog.SetRunningAsync(vm, false, cancel)));
        app.MapPost("/vswitch/ports/{port}/disable", (string port, CancellationToken cancel) => Change(() => catalog.SetPortDisabledAsync(port, true, cancel)));
        app.MapPost("/vswitch/ports/{port}/enable", (string port, CancellationToken cancel) => Change(() => catalog.SetPortDisabledAsync(port, false, cancel)));
        app.MapPost("/vswitch/ports/{port}/rules", (string port, HttpRequest request, CancellationToken cancel) => Change(async () =>
        {
            return await catalog.AddRuleAsync(port, ReadRule(await BodyAsync(request, cancel)), cancel);
        }));
        // The id a catch-all, escaped by the client: a rule filed under an empty or nested id can be removed too.
        app.MapDelete("/vswitch/ports/{port}/rules/{**id}", (string port, string? id, CancellationToken cancel) =>
            Change(() => catalog.RemoveRuleAsync(port, Uri.UnescapeDataString(id ?? ""), cancel)));
        app.MapGet("/vswitch/rules", async (string? port, CancellationToken cancel) =>
        {
            try
            {
                return Results.Json(await catalog.ListRulesAsync(port, cancel), AdminJson.Default.IReadOnlyListRuleListing);
            }
            catch (VSwitchRefusedException e)
            {
                return Results.Json(new AdminError(e.Message), AdminJson.Default.AdminError, statusCode: 400);
            }
        });
    }

    private static async Task<IResult> Change(Func<Task<long>> change)
    {
        try
        {
            return Results.Json(new VSwitchWritten(await change()), AdminJson.Default.VSwitchWritten);
        }
        catch (VSwitchRefusedException e)
        {
            return Results.Json(new AdminError(e.Message), AdminJson.Default.AdminError, statusCode: 400);
        }
    }

    /// <summary>The rule in a request's body, checked; a malformed one is a refusal naming its problem.</summary>
    private static VfpRule ReadRule(string json)
    {
        try
        {
            return VfpRule.Read(json, "the request body");
        }
        catch (VfpRuleException e)
        {
            throw new VSwitchRefusedException(e.Message);
        }
    }

    /// <summary>The largest request body the routes read: a switch, an adapter or a rule is far smaller.</summary>
    public const int MaxBody = 64 * 1024;

    /// <summary>A request's body, read whole up to <see cref="MaxBody"/>; a longer one is refused.</summary>
    private static async Task<string> BodyAsync(HttpRequest request, CancellationToken cancel)
    {
        var buffer = new byte[MaxBody + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancel)) > 0)
            length += read;
        if (length > MaxBody)
            throw new VSwitchRefusedException($"the request body: is longer than {MaxBody:N0} bytes.");
        return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>A request's body as <typeparamref name="T"/>, checked key by key: a missing, null, unknown or mistyped key is a refusal naming it.</summary>
    private static async Task<T> ReadAsync<T>(HttpRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancel)
    {
        try
        {
            return JsonInput.Read(await BodyAsync(request, cancel), type, "the request body");
        }
        catch (InputException e)
        {
            throw new VSwitchRefusedException(e.Message);
        }
    }
}
