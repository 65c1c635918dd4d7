using System.Text.Json;
using NanoBananaResilience.Tests.TestSupport;

namespace NanoBananaResilience.Tests;

public class FixtureCoverageTests
{
    private static readonly string[] Payloads = [.. Directory.GetFiles(WireFixtures.Folder)
        .Select(Path.GetFileName)
        .Where(n => n is not "index.json" and not "PROVENANCE.md")
        .Order(StringComparer.Ordinal)!];

    [Fact]
    public void IndexJson_ListsEveryFixtureWithProvenanceAndSource()
    {
        using var index = JsonDocument.Parse(WireFixtures.Text("index.json"));
        var entries = index.RootElement.GetProperty("files").EnumerateArray().ToList();

        Assert.Equal(Payloads, entries.Select(e => e.GetProperty("file").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(entries, e =>
        {
            Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("provenance").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("source").GetString()));
        });
    }

    [Fact]
    public void ProvenanceMd_NamesEveryFixture()
    {
        var provenance = WireFixtures.Text("PROVENANCE.md");

        Assert.All(Payloads, name => Assert.Contains($"`{name}`", provenance, StringComparison.Ordinal));
    }

    [Fact]
    public void TestSources_UseEveryFixture()
    {
        // The test sources are not copied to the output; find them from the project folder.
        var project = AppContext.BaseDirectory;
        while (project is not null && !File.Exists(Path.Combine(project, "NanoBananaResilience.Tests.csproj")))
        {
            project = Path.GetDirectoryName(project);
        }

        Assert.NotNull(project);
        var sources = string.Concat(Directory.GetFiles(project, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.EndsWith(nameof(FixtureCoverageTests) + ".cs", StringComparison.Ordinal))
            .Select(File.ReadAllText));

        Assert.All(Payloads, name => Assert.Contains($"\"{name}\"", sources, StringComparison.Ordinal));
    }

    [Fact]
    public void JsonFixtures_AreValidJson()
    {
        Assert.All(Payloads.Where(n => n.EndsWith(".json", StringComparison.Ordinal)), name =>
        {
            using var document = JsonDocument.Parse(WireFixtures.Bytes(name));
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        });
    }
}
