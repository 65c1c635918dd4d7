using System.Globalization;
using NanoBananaResilience.Testing;

namespace NanoBanana.Cli.Simulation;

/// <summary>
/// The matrix as Markdown: a table per world and window, a row per strategy, a column per traffic level, each cell the
/// mean over the seeds of success · requests per success · p95 over all calls · $ per image (reseller); then the paired
/// library − Solution 4 difference in success for each seed.
/// </summary>
internal static class MatrixReport
{
    public static void WriteMarkdown(IReadOnlyList<SimulationReport> reports, TextWriter output)
    {
        var seeds = reports.Select(r => r.Setup.Seed).Distinct().ToList();
        var levels = reports.Select(r => r.Setup.Requests).Distinct().Order().ToList();
        foreach (var world in reports.Select(r => r.Setup.World).Distinct())
        {
            foreach (var window in reports.Select(r => r.Setup.Window).Distinct())
            {
                var cells = reports.Where(r => r.Setup.World == world && r.Setup.Window == window).ToList();
                if (cells.Count == 0)
                {
                    continue;
                }

                output.WriteLine();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"#### {Reports.Name(world)} · {(window == SimulationWindow.Peak ? "peak 10–14 UTC" : "all day")}"));
                output.WriteLine();
                output.WriteLine("| strategy | " + string.Join(" | ", levels.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l:N0} calls"))) + " |");
                output.WriteLine("|---|" + string.Concat(levels.Select(_ => "---|")));
                foreach (var strategy in cells[0].Rows.Select(r => r.Strategy))
                {
                    var line = levels.Select(level =>
                    {
                        var rows = cells.Where(c => c.Setup.Requests == level).Select(c => c.Find(strategy)).OfType<StrategyRow>().ToList();
                        return rows.Count == 0 ? "–" : string.Join(" · ",
                            Reports.Percent(rows.Average(r => r.Success)),
                            Reports.Number(rows.Average(r => r.RequestsPerSuccess), "0.00"),
                            Reports.Seconds(rows.Average(r => r.P95)),
                            Reports.Dollars(rows.Average(r => r.UsdPerImage)));
                    });
                    output.WriteLine($"| `{strategy}` | " + string.Join(" | ", line) + " |");
                }

                foreach (var library in new[] { "library", "library-custom" })
                {
                    var paired = levels.Select(level => string.Join(", ", cells
                        .Where(c => c.Setup.Requests == level)
                        .OrderBy(c => seeds.IndexOf(c.Setup.Seed))
                        .Select(c => c.VersusS4(library))
                        .OfType<PairedDifference>()
                        .Select(Points))).ToList();
                    if (paired.Any(p => p.Length > 0))
                    {
                        output.WriteLine($"| {library} − s4, paired, per seed | " + string.Join(" | ", paired) + " |");
                    }
                }
            }
        }
    }

    private static string Points(PairedDifference d)
        => string.Create(CultureInfo.InvariantCulture, $"{d.Difference * 100:+0.00;−0.00;0.00} [{d.Low * 100:+0.00;−0.00;0.00}, {d.High * 100:+0.00;−0.00;0.00}]");
}
