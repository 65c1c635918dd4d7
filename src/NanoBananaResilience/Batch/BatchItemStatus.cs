namespace NanoBananaResilience;

/// <summary>How one item of a batch ended.</summary>
public enum BatchItemStatus
{
    /// <summary>An image was generated (and saved, when the batch has an output directory).</summary>
    Succeeded,

    /// <summary>No image: <see cref="BatchItemResult.Error"/> says why. The rest of the batch went on.</summary>
    Failed,

    /// <summary>Not sent, because an earlier run of the same batch already saved its image.</summary>
    Skipped,
}
