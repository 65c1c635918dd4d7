namespace NanoBananaResilience.Tests.TestSupport;

/// <summary>Small encoded images: the fixtures' 1x1 PNG and JPEG, and headers with a known size.</summary>
internal static class TestImages
{
    /// <summary>The 1x1 PNG that replaces every PNG payload in the fixtures.</summary>
    public const string TinyPngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mP4z8AAAAMBAQD3A0FDAAAAAElFTkSuQmCC";

    /// <summary>The 1x1 grayscale JPEG that replaces every JPEG payload in the fixtures (contains '/' and '+').</summary>
    public const string TinyJpegBase64 = "/9j/4AAQSkZJRgABAgAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/APNa/9k=";

    public static byte[] TinyPng { get; } = Convert.FromBase64String(TinyPngBase64);

    public static byte[] TinyJpeg { get; } = Convert.FromBase64String(TinyJpegBase64);

    /// <summary>A PNG signature and IHDR chunk declaring <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static byte[] PngHeader(int width, int height)
    {
        byte[] data = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', .. BigEndian(width), .. BigEndian(height), 8, 2, 0, 0, 0];
        return data;
    }

    /// <summary>A JPEG start with an APP0 segment, then a baseline SOF0 declaring the size.</summary>
    public static byte[] JpegHeader(int width, int height) =>
    [
        0xFF, 0xD8,
        0xFF, 0xE0, 0x00, 0x06, (byte)'J', (byte)'F', (byte)'I', (byte)'F',
        0xFF, 0xC0, 0x00, 0x11, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    private static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
