using Rampart.Detection.Metrics;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Closed behaviour windows (issue 14, migration 0012), the same on every provider.</summary>
public abstract class WindowStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private static StoredWindow Window(string device, int minute, float bytes)
    {
        var values = new float[BehaviourMetrics.Count];
        values[(int)BehaviourMetric.BytesIn] = bytes;
        values[^1] = -1.5f;
        return new StoredWindow(device, Start.AddMinutes(minute), Start.AddMinutes(minute + 1), values);
    }

    [Fact]
    public async Task The_newest_windows_of_each_device_read_back_in_order_with_every_value_and_retention_deletes_the_old()
    {
        await Stores.BehaviourWindows.AppendAsync([Window("d1", 0, 10), Window("d1", 1, 11), Window("d2", 1, 20), Window("d1", 2, 12)], CancellationToken.None);
        await Stores.BehaviourWindows.AppendAsync([Window("d1", 2, 999)], CancellationToken.None);

        var recent = await Stores.BehaviourWindows.RecentAsync(Start, perDevice: 2, CancellationToken.None);

        Assert.Equal([("d1", 11f), ("d2", 20f), ("d1", 12f)], recent.Select(w => (w.DeviceId, w.Values[(int)BehaviourMetric.BytesIn])));
        Assert.Equal((Start.AddMinutes(1), Start.AddMinutes(2), -1.5f), (recent[0].Start, recent[0].End, recent[0].Values[^1]));
        Assert.Equal(BehaviourMetrics.Count * sizeof(float), Window("d1", 0, 1).Pack().Length);

        Assert.Equal(3, await Stores.BehaviourWindows.DeleteBeforeAsync(Start.AddMinutes(2.5), CancellationToken.None));
        Assert.Equal([("d1", 12f)], (await Stores.BehaviourWindows.RecentAsync(Start, 10, CancellationToken.None)).Select(w => (w.DeviceId, w.Values[(int)BehaviourMetric.BytesIn])));
    }
}
