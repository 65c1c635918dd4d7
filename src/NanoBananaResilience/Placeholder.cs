namespace NanoBananaResilience;
internal static class Placeholder { }
