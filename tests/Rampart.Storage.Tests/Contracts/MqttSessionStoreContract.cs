using Rampart.Mqtt.Broker.Persistence;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Persistent MQTT sessions (issue 15, migration 0019), the same on every provider.</summary>
public abstract class MqttSessionStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private IMqttSessionStore Sessions => Stores.MqttSessions;

    private static StoredSession Session(string clientId, string owner, string node, int expiresInMinutes, byte state) =>
        new(clientId, owner, node, Start.AddMinutes(expiresInMinutes), [state, 1, 2, 3]);

    [Fact]
    public async Task A_session_saved_by_one_node_is_claimed_by_another_with_its_state_and_the_first_can_no_longer_overwrite_it()
    {
        await Sessions.SaveAsync("node-a", [Session("meter-1", "device:meter-1", "node-a", 60, 7)], [], Start, CancellationToken.None);

        var claimed = await Sessions.ClaimAsync("meter-1", "device:meter-1", "node-b", Start, CancellationToken.None);
        Assert.NotNull(claimed);
        Assert.Equal(("node-b", Start.AddMinutes(60)), (claimed.NodeId, claimed.ExpiresAt));
        Assert.Equal([7, 1, 2, 3], claimed.State);

        // Node A's late write (it held the session before the device moved) changes nothing; B's does.
        await Sessions.SaveAsync("node-a", [Session("meter-1", "device:meter-1", "node-a", 90, 8)], [], Start, CancellationToken.None);
        await Sessions.SaveAsync("node-b", [Session("meter-1", "device:meter-1", "node-b", 120, 9)], [], Start, CancellationToken.None);
        Assert.Equal([9, 1, 2, 3], (await Sessions.ClaimAsync("meter-1", "device:meter-1", "node-b", Start, CancellationToken.None))!.State);

        // And A's removal of a session it no longer holds leaves it.
        await Sessions.SaveAsync("node-a", [], [new SessionRemoval("meter-1", "device:meter-1", AnyNode: false)], Start, CancellationToken.None);
        Assert.NotNull(await Sessions.ClaimAsync("meter-1", "device:meter-1", "node-b", Start, CancellationToken.None));
    }

    [Fact]
    public async Task A_claim_returns_when_the_session_was_last_written_and_does_not_move_that_time()
    {
        await Sessions.SaveAsync("node-a", [Session("meter-2", "device:meter-2", "node-a", 60, 7)], [], Start.AddSeconds(5), CancellationToken.None);

        // The state is as of the holder's last write: a durable fabric replays what reached the session since then,
        // also after a claim by a node that died before its own first write.
        var first = await Sessions.ClaimAsync("meter-2", "device:meter-2", "node-b", Start.AddSeconds(30), CancellationToken.None);
        Assert.Equal(Start.AddSeconds(5), first!.WrittenAt);
        var second = await Sessions.ClaimAsync("meter-2", "device:meter-2", "node-c", Start.AddSeconds(60), CancellationToken.None);
        Assert.Equal(Start.AddSeconds(5), second!.WrittenAt);

        await Sessions.SaveAsync("node-c", [Session("meter-2", "device:meter-2", "node-c", 60, 8)], [], Start.AddSeconds(70), CancellationToken.None);
        Assert.Equal(Start.AddSeconds(70), (await Sessions.ClaimAsync("meter-2", "device:meter-2", "node-a", Start.AddSeconds(80), CancellationToken.None))!.WrittenAt);
    }

    [Fact]
    public async Task Another_identity_with_the_same_client_id_never_claims_the_session()
    {
        await Sessions.SaveAsync("node-a", [Session("shared-id", "device:one", "node-a", 60, 1)], [], Start, CancellationToken.None);

        Assert.Null(await Sessions.ClaimAsync("shared-id", "device:two", "node-b", Start, CancellationToken.None));
        Assert.NotNull(await Sessions.ClaimAsync("shared-id", "device:one", "node-b", Start, CancellationToken.None));
    }

    [Fact]
    public async Task A_clean_start_removes_the_session_wherever_it_is_held_and_expired_sessions_are_neither_claimed_nor_kept()
    {
        await Sessions.SaveAsync("node-a", [Session("s1", "o", "node-a", 60, 1), Session("s2", "o", "node-a", 5, 2), Session("s3", "o", "node-a", 60, 3)], [], Start, CancellationToken.None);

        await Sessions.SaveAsync("node-b", [], [new SessionRemoval("s1", "o", AnyNode: true)], Start, CancellationToken.None);
        Assert.Null(await Sessions.ClaimAsync("s1", "o", "node-b", Start, CancellationToken.None));

        Assert.Null(await Sessions.ClaimAsync("s2", "o", "node-b", Start.AddMinutes(5), CancellationToken.None));
        Assert.Equal(1, await Sessions.DeleteExpiredAsync(Start.AddMinutes(10), CancellationToken.None));
        Assert.NotNull(await Sessions.ClaimAsync("s3", "o", "node-b", Start.AddMinutes(10), CancellationToken.None));
    }
}

public sealed class SqliteMqttSessionStoreTests : MqttSessionStoreContract<SqliteProvider>;

public sealed class PostgresMqttSessionStoreTests : MqttSessionStoreContract<PostgresProvider>;
