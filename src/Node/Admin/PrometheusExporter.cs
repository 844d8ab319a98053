using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace PdCluster.Node.Admin;

/// <summary>
/// Renders the observable instruments of one meter in Prometheus' text format on each scrape, through a
/// <see cref="MeterListener"/> (no OpenTelemetry exporter package is served to this build). It listens to that meter
/// object, not to every meter of its name: two nodes in one process (tests, a lab host) each scrape only their own.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, (Instrument Instrument, List<(string Labels, string Value)> Samples)> _scrape = new(StringComparer.Ordinal);

    public PrometheusExporter(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value.ToString(CultureInfo.InvariantCulture), tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value.ToString("R", CultureInfo.InvariantCulture), tags));
        _listener.Start();
    }

    private void Add(Instrument instrument, string value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = string.Join(',', tags.ToArray().Select(t => $"{t.Key}=\"{Escape(Convert.ToString(t.Value, CultureInfo.InvariantCulture))}\""));
        if (!_scrape.TryGetValue(instrument.Name, out var entry))
            _scrape[instrument.Name] = entry = (instrument, []);
        entry.Samples.Add((labels, value));
    }

    /// <summary>Collects every instrument now and returns the exposition text.</summary>
    public string Scrape()
    {
        lock (_lock)
        {
            _scrape.Clear();
            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var (name, (instrument, samples)) in _scrape)
            {
                if (instrument.Description is { } help)
                    text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
                text.Append("# TYPE ").Append(name).Append(instrument is ObservableCounter<long> or ObservableCounter<double> ? " counter\n" : " gauge\n");
                foreach (var (labels, value) in samples)
                    text.Append(name).Append(labels.Length > 0 ? $"{{{labels}}}" : "").Append(' ').Append(value).Append('\n');
            }
            return text.ToString();
        }
    }

    private static string Escape(string? value) => (value ?? "").Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    public void Dispose() => _listener.Dispose();
}
