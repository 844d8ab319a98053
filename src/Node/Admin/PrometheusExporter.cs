using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace PdCluster.Node.Admin;

/// <summary>
/// Renders the observable instruments of one meter in Prometheus' text format on each scrape, through a
/// <see cref="MeterListener"/> (no OpenTelemetry exporter package is served to this build).
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, (Instrument Instrument, List<(string Labels, long Value)> Samples)> _scrape = new(StringComparer.Ordinal);

    public PrometheusExporter(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var labels = string.Join(',', tags.ToArray().Select(t => $"{t.Key}=\"{Escape(Convert.ToString(t.Value, CultureInfo.InvariantCulture))}\""));
            if (!_scrape.TryGetValue(instrument.Name, out var entry))
                _scrape[instrument.Name] = entry = (instrument, []);
            entry.Samples.Add((labels, value));
        });
        _listener.Start();
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
                text.Append("# TYPE ").Append(name).Append(instrument is ObservableCounter<long> ? " counter\n" : " gauge\n");
                foreach (var (labels, value) in samples)
                    text.Append(name).Append(labels.Length > 0 ? $"{{{labels}}}" : "").Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            return text.ToString();
        }
    }

    private static string Escape(string? value) => (value ?? "").Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    public void Dispose() => _listener.Dispose();
}
