namespace Rampart.Mqtt.Broker;

/// <summary>
/// Retained messages beyond the process (issue 15 items 3 and 5): the host turns on
/// <see cref="TrackRetainedChanges"/>, writes what <see cref="CaptureRetainedChanges"/> returns at an
/// interval, and loads what is stored with <see cref="RestoreRetained"/> before the listeners open (and
/// whenever it catches up). The broker knows nothing of the store itself.
/// </summary>
public sealed partial class MqttBroker
{
    /// <summary>Starts remembering the retained topics set or cleared here (by this node's clients and the server), latest per topic.</summary>
    public void TrackRetainedChanges() => _retained.Track();

    /// <summary>The retained topics set or cleared since the last call.</summary>
    public IReadOnlyList<RetainedChange> CaptureRetainedChanges() => _retained.TakeChanges();

    /// <summary>Puts back changes a failed write did not store (a topic changed since keeps its newer change).</summary>
    public void RequeueRetainedChanges(IEnumerable<RetainedChange> changes) => _retained.Requeue(changes);

    /// <summary>Takes stored retained messages in, without overwriting topics set here meanwhile; returns how many.</summary>
    public int RestoreRetained(IEnumerable<MqttMessage> messages, bool catchUp = false) => _retained.Restore(messages, _time.GetUtcNow(), catchUp);

    /// <summary>Call before reading the store for <see cref="RestoreRetained"/>: what other nodes change from now on is kept over what the read returns.</summary>
    public void BeginRetainedRestore() => _retained.BeginRestore();
}
