using System.Globalization;
using System.Text;
using System.Text.Json;
using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Simulation;

/// <summary>The rows of one period, with the setup they ran on.</summary>
internal sealed record SimulationReport(SimulationSetup Setup, IReadOnlyList<StrategyRow> Rows)
{
    public StrategyRow? Find(string name) => Rows.FirstOrDefault(r => r.Strategy == name);

    /// <summary>Library minus Solution 4 in success, paired by call, when both ran.</summary>
    public PairedDifference? LibraryVersusS4() => VersusS4("library");

    /// <summary>A strategy minus Solution 4 in success, paired by call, when both ran.</summary>
    public PairedDifference? VersusS4(string strategy)
        => Find(strategy) is { } row && Find("s4") is { } s4 ? PairedDifference.Of(row, s4) : null;
}

/// <summary>Writes reports as a table, CSV, JSON and an SVG chart. Numbers are invariant-culture; seconds are seconds.</summary>
internal static class Reports
{
    private static readonly string[] Headers = ["strategy", "success", "req/success", "p50", "p95", "p99", "fail median", "$/image", "$/image list", "NB2 share"];

    public static void WriteTable(SimulationReport report, TextWriter output)
    {
        var cells = report.Rows.Select(r => new[]
        {
            r.Strategy, Percent(r.Success), Number(r.RequestsPerSuccess, "0.00"), Seconds(r.P50), Seconds(r.P95), Seconds(r.P99),
            Seconds(r.MedianTimeToFailure), Dollars(r.UsdPerImage), Dollars(r.UsdPerImageList), Percent(r.ServedBy.GetValueOrDefault(SimulatedModels.NanoBanana2, double.NaN)),
        }).Prepend(Headers).ToList();
        var widths = Enumerable.Range(0, Headers.Length).Select(c => cells.Max(r => r[c].Length)).ToArray();
        for (var i = 0; i < cells.Count; i++)
        {
            output.WriteLine(string.Join("  ", cells[i].Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
            if (i == 0)
            {
                output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }

        foreach (var library in new[] { "library", "library-custom" })
        {
            if (report.VersusS4(library) is { } d)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{library} − s4 in success, paired by call: {d.Difference * 100:+0.00;−0.00;0.00} points (95% interval {d.Low * 100:+0.00;−0.00;0.00} to {d.High * 100:+0.00;−0.00;0.00})"));
            }
        }
    }

    public const string CsvHeader = "world,seed,days,window,arrivals,requests,strategy,calls,successes,success,requests_sent,requests_per_success,p50_s,p95_s,p99_s,median_time_to_failure_s,usd_per_image,usd_per_image_list,nb2_share,pro_share,library_minus_s4,library_minus_s4_low,library_minus_s4_high";

    public static void WriteCsvRows(SimulationReport report, StringBuilder csv)
    {
        var s = report.Setup;
        var d = report.LibraryVersusS4();
        foreach (var r in report.Rows)
        {
            var paired = r.Strategy == "library" && d is { } p ? new object[] { p.Difference, p.Low, p.High } : ["", "", ""];
            csv.AppendLine(string.Join(",", new object[]
            {
                Name(s.World), s.Seed, s.Days, Name(s.Window), Name(s.Arrivals), s.Requests, r.Strategy, r.Calls, r.Successes, r.Success, r.Requests,
                r.RequestsPerSuccess, r.P50, r.P95, r.P99, r.MedianTimeToFailure, r.UsdPerImage, r.UsdPerImageList,
                r.ServedBy.GetValueOrDefault(SimulatedModels.NanoBanana2), r.ServedBy.GetValueOrDefault(SimulatedModels.NanoBananaPro),
            }.Concat(paired).Select(v => v is double x && double.IsNaN(x) ? "" : Convert.ToString(v, CultureInfo.InvariantCulture))));
        }
    }

    /// <summary>The one JSON object of <c>simulate --json</c>; NaN (no successes, no failures) is written as null.</summary>
    public static void WriteJson(Utf8JsonWriter json, SimulationReport report)
    {
        var s = report.Setup;
        json.WriteStartObject();
        json.WriteString("world", Name(s.World));
        json.WriteNumber("seed", s.Seed);
        json.WriteNumber("days", s.Days);
        json.WriteString("window", Name(s.Window));
        json.WriteString("arrivals", Name(s.Arrivals));
        json.WriteNumber("requests", s.Requests);
        json.WriteStartArray("rows");
        foreach (var r in report.Rows)
        {
            json.WriteStartObject();
            json.WriteString("strategy", r.Strategy);
            Number(json, "success", r.Success);
            Number(json, "requestsPerSuccess", r.RequestsPerSuccess);
            Number(json, "p50", r.P50);
            Number(json, "p95", r.P95);
            Number(json, "p99", r.P99);
            Number(json, "medianTimeToFailure", r.MedianTimeToFailure);
            Number(json, "usdPerImage", r.UsdPerImage);
            Number(json, "usdPerImageList", r.UsdPerImageList);
            json.WriteStartObject("servedBy");
            foreach (var (model, share) in r.ServedBy)
            {
                Number(json, model, share);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (report.LibraryVersusS4() is { } d)
        {
            json.WriteStartObject("libraryMinusS4");
            Number(json, "success", d.Difference);
            Number(json, "low", d.Low);
            Number(json, "high", d.High);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    /// <summary>A hand-written line chart: success rate by UTC hour of arrival, one line per strategy.</summary>
    public static string Svg(SimulationReport report)
    {
        string[] colors = ["#7f7f7f", "#bcbd22", "#d62728", "#ff7f0e", "#8c564b", "#9467bd", "#1f77b4", "#2ca02c", "#17becf"];
        var rows = report.Rows;
        const double Left = 60, Top = 40, Width = 720, Height = 360, LegendX = Left + Width + 20;
        var hours = Enumerable.Range(0, 24).Where(h => rows[0].HourCalls[h] > 0).ToArray();
        double first = hours.Min(), last = hours.Max() + 1;
        string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        double X(double hour) => Left + ((hour - first) / (last - first) * Width);
        double Y(double rate) => Top + ((1 - rate) * Height);
        var s = report.Setup;

        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{F(LegendX + 200)}" height="{F(Top + Height + 60)}" font-family="sans-serif" font-size="12">""");
        svg.AppendLine("""<rect width="100%" height="100%" fill="white"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{F(Left)}" y="22" font-size="15">Success by UTC hour of arrival — world {Name(s.World)}, {s.Requests} calls over {s.Days} day(s), seed {s.Seed}, 5 min deadline</text>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{F(X(Math.Max(10, first)))}" y="{F(Top)}" width="{F(Math.Max(0, X(Math.Min(14, last)) - X(Math.Max(10, first))))}" height="{F(Height)}" fill="#f3ece0"/>""");
        for (var r = 0; r <= 10; r++)
        {
            var y = Y(r / 10.0);
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{F(Left)}" x2="{F(Left + Width)}" y1="{F(y)}" y2="{F(y)}" stroke="#ddd"/><text x="{F(Left - 8)}" y="{F(y + 4)}" text-anchor="end">{r * 10}%</text>""");
        }

        for (var h = first; h <= last; h++)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{F(X(h))}" x2="{F(X(h))}" y1="{F(Top + Height)}" y2="{F(Top + Height + 5)}" stroke="#333"/><text x="{F(X(h))}" y="{F(Top + Height + 18)}" text-anchor="middle">{h:00}</text>""");
        }

        svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{F(Left)}" y="{F(Top)}" width="{F(Width)}" height="{F(Height)}" fill="none" stroke="#333"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{F(Left + (Width / 2))}" y="{F(Top + Height + 38)}" text-anchor="middle">UTC hour (shaded: peak 10:00–14:00)</text>""");
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var color = colors[i % colors.Length];
            var points = string.Join(" ", hours.Select(h => $"{F(X(h + 0.5))},{F(Y((double)row.HourSuccesses[h] / row.HourCalls[h]))}"));
            var dash = row.Strategy.StartsWith("library", StringComparison.Ordinal) ? string.Empty : """ stroke-dasharray="5,3" """;
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"{dash}/>""");
            var ly = Top + 10 + (i * 20);
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{F(LegendX)}" x2="{F(LegendX + 24)}" y1="{F(ly)}" y2="{F(ly)}" stroke="{color}" stroke-width="2"{dash}/><text x="{F(LegendX + 30)}" y="{F(ly + 4)}">{row.Strategy}</text>""");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    public static string Name<T>(T value)
        where T : struct, Enum
        => value.ToString().ToLowerInvariant();

    public static string Percent(double value) => double.IsNaN(value) ? "–" : value.ToString("P1", CultureInfo.InvariantCulture);

    public static string Seconds(double value) => double.IsNaN(value) ? "–" : value.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public static string Dollars(double value) => double.IsNaN(value) ? "–" : "$" + value.ToString("0.0000", CultureInfo.InvariantCulture);

    public static string Number(double value, string format) => double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, Math.Round(value, 6));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
