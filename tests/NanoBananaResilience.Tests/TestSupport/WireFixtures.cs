using System.Text;

namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>The recorded payloads under Fixtures/wire (see PROVENANCE.md there).</summary>
internal static class WireFixtures
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "wire");

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Folder, name));

    public static string Text(string name) => Encoding.UTF8.GetString(Bytes(name));
}
