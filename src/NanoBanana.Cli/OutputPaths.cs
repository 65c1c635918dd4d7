namespace NanoBanana.Cli;

/// <summary>
/// Checks that a file or folder a command will write can be written, before anything is sent or computed: a paid
/// image, or an hour of simulation, must not be lost to a typo in a path. Failures are usage errors (exit 2) that
/// name the option and the path.
/// </summary>
internal static class OutputPaths
{
    /// <summary>
    /// Checks that <paramref name="path"/> can be created or replaced; returns its full path.
    /// </summary>
    /// <param name="path">The file the command will write.</param>
    /// <param name="option">The option that named it, such as <c>--out</c>, for the message.</param>
    /// <exception cref="UsageException">The file cannot be written, with the reason.</exception>
    public static string CheckWritableFile(string path, string option)
    {
        var full = FullPath(path, option);
        if (Directory.Exists(full))
        {
            throw new UsageException($"{option} '{path}' is a folder; give a file name, such as {Path.Combine(path, "image.png")}.");
        }

        var folder = Path.GetDirectoryName(full) ?? full;
        if (!Directory.Exists(folder))
        {
            throw new UsageException($"{option} '{path}': the folder '{folder}' does not exist.");
        }

        if (File.Exists(full) && File.GetAttributes(full).HasFlag(FileAttributes.ReadOnly))
        {
            throw new UsageException($"{option} '{path}' is read-only and cannot be replaced.");
        }

        ProbeFolder(folder, path, option);
        return full;
    }

    /// <summary>
    /// Checks that <paramref name="path"/> is a folder that can be written, or can be created where it is missing.
    /// </summary>
    /// <param name="path">The folder the command will write into.</param>
    /// <param name="option">The option that named it, such as <c>--out-dir</c>, for the message.</param>
    /// <exception cref="UsageException">The folder cannot be written, with the reason.</exception>
    public static string CheckWritableFolder(string path, string option)
    {
        var full = FullPath(path, option);
        if (File.Exists(full))
        {
            throw new UsageException($"{option} '{path}' is a file, not a folder.");
        }

        // A missing folder is created by the command; what matters is that its nearest existing parent takes writes.
        var existing = full;
        while (!Directory.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing) ?? throw new UsageException($"{option} '{path}': no part of it exists.");
            if (File.Exists(existing))
            {
                throw new UsageException($"{option} '{path}': '{existing}' is a file, not a folder.");
            }
        }

        ProbeFolder(existing, path, option);
        return full;
    }

    private static string FullPath(string path, string option)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"{option} '{path}' is not a valid path.");
        }
    }

    /// <summary>Permissions are only known by trying: a file that deletes itself, in the folder that will be written.</summary>
    private static void ProbeFolder(string folder, string path, string option)
    {
        try
        {
            using var probe = new FileStream(Path.Combine(folder, $".nanobanana-write-check-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (UnauthorizedAccessException)
        {
            throw new UsageException($"{option} '{path}': no permission to write in '{folder}'.");
        }
        catch (IOException)
        {
            throw new UsageException($"{option} '{path}': the folder '{folder}' does not take new files (read-only or full).");
        }
    }
}
