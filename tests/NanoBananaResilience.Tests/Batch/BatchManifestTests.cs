using System.Text.Json;

namespace NanoBananaResilience.Tests.Batch;

/// <summary>The output folder across runs: what a crash can leave behind, and an input edited between runs.</summary>
public sealed class BatchManifestTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rerun_AfterCrashLeftovers_CountsWholeImagesOnlyAndRedoesTheRest()
    {
        using var world = new BatchWorld(BatchWorld.Monday.AddHours(2));
        var prompts = BatchWorld.Prompts(3);
        var first = await world.RunAsync(prompts, world.Options(), Token);
        var files = first.OrderBy(r => r.Index).Select(r => r.FilePath!).ToList();

        // Item 1: saved, but the process died before its manifest line. Item 2: its line says done, its file is gone.
        // Then a line torn by the crash, and a temporary file from an interrupted write.
        var lines = world.ManifestLines().Where(l => !l.Contains(Path.GetFileName(files[1]), StringComparison.Ordinal)).ToList();
        await File.WriteAllLinesAsync(world.ManifestPath, lines, Token);
        await File.AppendAllTextAsync(world.ManifestPath, "{\"key\":\"ABC", Token);
        File.Delete(files[2]);
        var temporary = files[0] + ".tmp-" + Guid.NewGuid().ToString("N"); // as GeneratedImage.SaveAsync names it
        await File.WriteAllBytesAsync(temporary, [1, 2, 3], Token);
        var boughtBefore = world.DeliveredImages;

        var second = await world.RunAsync(prompts, world.Options(), Token);

        Assert.Equal([BatchItemStatus.Skipped, BatchItemStatus.Skipped, BatchItemStatus.Succeeded], second.OrderBy(r => r.Index).Select(r => r.Status));
        Assert.Equal(1, world.DeliveredImages - boughtBefore);
        Assert.False(File.Exists(temporary));
        Assert.True(File.Exists(files[2]));
        var done = world.ManifestLines()
            .Where(l => l.EndsWith('}')) // the torn line stays torn, alone on its line
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(e => e.GetProperty("state").GetString() == "done")
            .ToList();
        Assert.Equal(3, done.Select(e => e.GetProperty("key").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Rerun_AfterAMachineCrashLeftEmptyImages_GeneratesThemAgain()
    {
        using var world = new BatchWorld(BatchWorld.Monday.AddHours(2));
        var prompts = BatchWorld.Prompts(3);
        var first = await world.RunAsync(prompts, world.Options(), Token);
        var files = first.OrderBy(r => r.Index).Select(r => r.FilePath!).ToList();

        // A power cut can leave a renamed file with none of its bytes on disk: item 0 with its done line, item 1 without.
        await File.WriteAllBytesAsync(files[0], [], Token);
        await File.WriteAllBytesAsync(files[1], [], Token);
        var lines = world.ManifestLines().Where(l => !l.Contains(Path.GetFileName(files[1]), StringComparison.Ordinal)).ToList();
        await File.WriteAllLinesAsync(world.ManifestPath, lines, Token);
        var boughtBefore = world.DeliveredImages;

        var second = await world.RunAsync(prompts, world.Options(), Token);

        Assert.Equal([BatchItemStatus.Succeeded, BatchItemStatus.Succeeded, BatchItemStatus.Skipped], second.OrderBy(r => r.Index).Select(r => r.Status));
        Assert.Equal(2, world.DeliveredImages - boughtBefore);
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 0, $"{Path.GetFileName(f)} is empty"));
    }

    [Fact]
    public async Task Rerun_WithLinesInsertedAndRepeated_SkipsEveryImageAlreadyMade()
    {
        using var world = new BatchWorld(BatchWorld.Monday.AddHours(2));
        var prompts = BatchWorld.Prompts(4);
        _ = await world.RunAsync(prompts, world.Options(), Token);
        var boughtBefore = world.DeliveredImages;

        List<NanoBananaRequest> edited = [new("a new first line"), .. prompts, new(prompts[0].Prompt)];
        var second = await world.RunAsync(edited, world.Options(), Token);

        Assert.Equal(4, second.Count(r => r.Status == BatchItemStatus.Skipped));
        var made = second.Where(r => r.Status == BatchItemStatus.Succeeded).Select(r => r.Index).Order();
        Assert.Equal([0, 5], made); // the new line, and the second copy of a prompt made once before
        Assert.Equal(2, world.DeliveredImages - boughtBefore);
        Assert.EndsWith("-2", second.Single(r => r.Index == 5).Key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AfterACrashLeftTheLockFile_TakesTheFolderOver()
    {
        using var world = new BatchWorld(BatchWorld.Monday.AddHours(2));
        var lockFile = Path.Combine(world.OutputDirectory, ".batch.lock");
        Directory.CreateDirectory(world.OutputDirectory);
        await File.WriteAllBytesAsync(lockFile, [], Token); // a killed run's file: nobody holds it open

        var results = await world.RunAsync(BatchWorld.Prompts(2), world.Options(), Token);

        Assert.All(results, r => Assert.Equal(BatchItemStatus.Succeeded, r.Status));
        Assert.False(File.Exists(lockFile), "the lock goes with the run");
    }

    [Fact]
    public async Task Run_InAFolderWithTheUsersOwnFiles_DeletesOnlyItsOwnTemporaryFiles()
    {
        using var world = new BatchWorld(BatchWorld.Monday.AddHours(2));
        Directory.CreateDirectory(world.OutputDirectory);
        var theirs = Path.Combine(world.OutputDirectory, "budget.tmp-draft.xlsx");
        await File.WriteAllBytesAsync(theirs, [1, 2, 3], Token);
        var ours = Path.Combine(world.OutputDirectory, "0123456789ABCDEF.jpg.tmp-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(ours, [1, 2, 3], Token);

        _ = await world.RunAsync(BatchWorld.Prompts(1), world.Options(), Token);

        Assert.True(File.Exists(theirs), "a file the batch did not write is not the batch's to delete");
        Assert.False(File.Exists(ours));
    }

    [Fact]
    public async Task Run_WhileAnotherRunHoldsTheFolder_FailsBeforeSendingAnything()
    {
        using var world = new BatchWorld(BatchWorld.Monday.AddHours(2));
        Directory.CreateDirectory(world.OutputDirectory);
        using (new FileStream(Path.Combine(world.OutputDirectory, ".batch.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var error = await Assert.ThrowsAsync<IOException>(() => world.RunAsync(BatchWorld.Prompts(2), world.Options(), Token));

            Assert.Contains("Another batch is writing", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, world.Simulator.Statistics.TotalRequests);
        var results = await world.RunAsync(BatchWorld.Prompts(2), world.Options(), Token);
        Assert.All(results, r => Assert.Equal(BatchItemStatus.Succeeded, r.Status));
        Assert.False(File.Exists(Path.Combine(world.OutputDirectory, ".batch.lock")), "the lock goes with the run");
    }
}
