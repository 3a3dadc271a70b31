namespace Rampart.Storage.Tests.Contracts;

/// <summary>Outstanding attestation challenges (migration 0023), the same on every provider: one per device, each answered once.</summary>
public abstract class AttestationChallengeStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    [Fact]
    public async Task A_challenge_is_consumed_once_with_its_issue_time_and_a_wrong_or_spent_nonce_gets_nothing()
    {
        var challenges = Stores.AttestationChallenges;
        await challenges.IssueAsync("dev-1", "nonce-a", Start, CancellationToken.None);
        await challenges.IssueAsync("dev-2", "nonce-b", Start.AddSeconds(5), CancellationToken.None);

        Assert.Null(await challenges.ConsumeAsync("dev-1", "nonce-b", CancellationToken.None));
        Assert.Null(await challenges.ConsumeAsync("dev-1", string.Empty, CancellationToken.None));
        Assert.Equal(Start, await challenges.ConsumeAsync("dev-1", "nonce-a", CancellationToken.None));
        Assert.Null(await challenges.ConsumeAsync("dev-1", "nonce-a", CancellationToken.None));
        Assert.Equal(Start.AddSeconds(5), await challenges.ConsumeAsync("dev-2", "nonce-b", CancellationToken.None));
    }

    [Fact]
    public async Task A_newer_challenge_supersedes_the_outstanding_one()
    {
        var challenges = Stores.AttestationChallenges;
        await challenges.IssueAsync("dev-1", "old", Start, CancellationToken.None);
        await challenges.IssueAsync("dev-1", "new", Start.AddSeconds(1), CancellationToken.None);

        Assert.Null(await challenges.ConsumeAsync("dev-1", "old", CancellationToken.None));
        Assert.Equal(Start.AddSeconds(1), await challenges.ConsumeAsync("dev-1", "new", CancellationToken.None));
    }

    [Fact]
    public async Task Of_many_concurrent_consumers_of_one_answer_exactly_one_gets_the_challenge()
    {
        var challenges = Stores.AttestationChallenges;
        for (var round = 0; round < 5; round++)
        {
            await challenges.IssueAsync("dev-1", $"nonce-{round}", Start, CancellationToken.None);
            var takers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => challenges.ConsumeAsync("dev-1", $"nonce-{round}", CancellationToken.None))));
            Assert.Single(takers, t => t is not null);
        }
    }
}
