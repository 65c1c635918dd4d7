namespace NanoBananaResilience;

/// <summary>
/// The model's link to state shared with other processes (<see cref="INanoBananaSharedState"/>): this process's
/// changes go out through the hooks at the ends of <see cref="Opened"/>, <see cref="Closed"/>, <see cref="CoolDown"/>
/// and <see cref="TryClaimProbe"/>, and a decision (<see cref="RestingUntil"/>) refreshes the fleet's view. Changes
/// made elsewhere come in through <see cref="ApplyFleet"/>, which sets the state directly and never reports it back.
/// </summary>
internal sealed partial class ModelHealth
{
    private readonly INanoBananaSharedModelHealth? _fleet;

    /// <summary>Creates the model's health, joined to the fleet's when <paramref name="fleet"/> is given.</summary>
    public ModelHealth(string modelId, INanoBananaSharedState? fleet)
        : this(modelId)
        => _fleet = fleet?.JoinHealth(modelId, ApplyFleet);

    /// <summary>
    /// Another process changed the model's health: a trip or a cooldown extends what this process knows (a break is
    /// never shortened), a recovery closes it, and calls waiting for the model look again.
    /// </summary>
    internal void ApplyFleet(SharedModelHealth fleet)
    {
        lock (_gate)
        {
            if (fleet.IsOpen)
            {
                _consecutiveTrips = Math.Max(_consecutiveTrips, fleet.ConsecutiveTrips);
                if (fleet.OpenUntil > _openUntil)
                {
                    _openUntil = fleet.OpenUntil;
                }
            }
            else
            {
                _consecutiveTrips = 0;
                _openUntil = default;
            }

            if (fleet.CoolUntil > _coolUntil)
            {
                _coolUntil = fleet.CoolUntil;
            }
        }

        Changed();
    }
}
