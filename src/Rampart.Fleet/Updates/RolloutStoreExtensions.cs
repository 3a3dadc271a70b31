using System.Runtime.CompilerServices;
using Rampart.Updates.Rollouts;

namespace Rampart.Fleet.Updates;

/// <summary>Walking a rollout's devices without holding them all.</summary>
public static class RolloutStoreExtensions
{
    /// <summary>Page size of <see cref="EachDeviceAsync"/>.</summary>
    public const int PageSize = 1000;

    /// <summary>Every device of <paramref name="rollout"/> in <paramref name="state"/>, in id order, a page at a time (moving the ones seen is safe).</summary>
    public static async IAsyncEnumerable<RolloutDevice> EachDeviceAsync(
        this IRolloutStore store, long rollout, RolloutDeviceState state, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        IReadOnlyList<RolloutDevice> page;
        do
        {
            page = await store.DevicesAsync(rollout, state, after, PageSize, cancellationToken);
            foreach (var device in page)
            {
                yield return device;
            }

            after = page.Count > 0 ? page[^1].DeviceId : after;
        }
        while (page.Count == PageSize);
    }
}
