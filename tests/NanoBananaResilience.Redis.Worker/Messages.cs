using System.Text.Json.Serialization;

namespace NanoBananaResilience.Redis.Worker;

/// <summary>One job: a number of calls to a gateway, with or without Redis.</summary>
internal sealed class Job
{
    public string Gateway { get; set; } = string.Empty;

    /// <summary>The Redis configuration string, or null to run on local state.</summary>
    public string? Redis { get; set; }

    public string Prefix { get; set; } = "nanobanana";

    public string[] Models { get; set; } = [];

    public int Calls { get; set; }

    public int Concurrency { get; set; } = 1;

    /// <summary>Calls leave index × PaceMs after the start (0: as fast as the lanes go).</summary>
    public int PaceMs { get; set; }

    public int StartDelayMs { get; set; }

    public int BackoffMs { get; set; } = 20;

    public int BreakMs { get; set; } = 1000;

    public int MaxBreakMs { get; set; } = 2000;

    public int ProbeMs { get; set; } = 1000;

    /// <summary>Gets or sets the evidence, in failures in a row, that judges a model down (CircuitBreaker:MinimumThroughput).</summary>
    public int DownAfter { get; set; } = 8;

    public decimal PriceUsd { get; set; } = 0.01m;

    public decimal? BudgetUsd { get; set; }

    public bool FailOpen { get; set; }

    public decimal FailOpenShare { get; set; } = 0.1m;

    public int OperationTimeoutMs { get; set; } = 250;
}

/// <summary>What a job did.</summary>
internal sealed class Result
{
    public long Succeeded { get; set; }

    /// <summary>Calls that ended in a NanoBananaException.</summary>
    public long Failed { get; set; }

    /// <summary>Calls that ended in any other exception: none may.</summary>
    public long Escaped { get; set; }

    public long Images { get; set; }

    public long PaidMicros { get; set; }

    public Dictionary<string, int> Outcomes { get; set; } = [];

    /// <summary>Requests sent per model, read from the calls' trails.</summary>
    public Dictionary<string, int> Sent { get; set; } = [];

    public string[] Details { get; set; } = [];

    public bool SawUnavailable { get; set; }

    public long Rejoins { get; set; }

    public long ElapsedMs { get; set; }
}

[JsonSerializable(typeof(Job))]
[JsonSerializable(typeof(Result))]
internal sealed partial class WorkerJson : JsonSerializerContext;
