namespace NanoBananaResilience;

/// <summary>What the client did after an attempt.</summary>
public enum AttemptDecision
{
    /// <summary>The attempt succeeded and its image was returned.</summary>
    Return,

    /// <summary>The same model was tried again after a wait.</summary>
    Retry,

    /// <summary>The client moved on to the next model of the chain.</summary>
    NextModel,

    /// <summary>The call stopped and threw.</summary>
    Stop,
}
