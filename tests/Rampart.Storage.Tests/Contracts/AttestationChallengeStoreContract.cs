using System.Security.Cryptography;
using System.Text;
using Rampart.SupplyChain.Stores;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>
/// Attestation nonces (migration 0032), the same on every provider: each taken by one answer, and what an
/// answer's nonce was (newest, replaced, answered before by these bytes or others) read from the store
/// alone, so any node, or the same node after a restart, judges it the same.
/// </summary>
public abstract class AttestationChallengeStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    [Fact]
    public async Task A_challenge_is_taken_once_with_its_issue_time_and_a_wrong_or_empty_nonce_is_unknown()
    {
        var challenges = Stores.AttestationChallenges;
        await challenges.IssueAsync("dev-1", "nonce-a", Start, false, CancellationToken.None);
        await challenges.IssueAsync("dev-2", "nonce-b", Start.AddSeconds(5), false, CancellationToken.None);

        Assert.Equal(ChallengeStanding.Unknown, (await challenges.AnswerAsync("dev-1", "nonce-b", Answer("x"), Start.AddMinutes(1), CancellationToken.None)).Standing);
        Assert.Equal(ChallengeStanding.Unknown, (await challenges.AnswerAsync("dev-1", string.Empty, Answer("x"), Start.AddMinutes(2), CancellationToken.None)).Standing);
        Assert.Equal(new ChallengeOutcome(ChallengeStanding.Taken, Start), await challenges.AnswerAsync("dev-1", "nonce-a", Answer("first"), Start.AddMinutes(3), CancellationToken.None));
        Assert.Equal(new ChallengeOutcome(ChallengeStanding.Taken, Start.AddSeconds(5)), await challenges.AnswerAsync("dev-2", "nonce-b", Answer("b"), Start.AddMinutes(4), CancellationToken.None));
    }

    [Fact]
    public async Task A_spent_nonce_is_a_resend_for_the_same_bytes_and_spent_for_other_bytes_as_seen_by_a_second_node_on_the_same_database()
    {
        await Stores.AttestationChallenges.IssueAsync("dev-1", "nonce-a", Start, false, CancellationToken.None);
        Assert.Equal(ChallengeStanding.Taken, (await Stores.AttestationChallenges.AnswerAsync("dev-1", "nonce-a", Answer("first"), Start.AddMinutes(5), CancellationToken.None)).Standing);

        // Another node (or this one after a restart) is another set of stores over the same database: it knows no memory of the first.
        await using var other = Provider.OpenSecondNode();
        Assert.Equal(new ChallengeOutcome(ChallengeStanding.Resent, Start), await other.AttestationChallenges.AnswerAsync("dev-1", "nonce-a", Answer("first"), Start.AddMinutes(6), CancellationToken.None));
        Assert.Equal(ChallengeStanding.Spent, (await other.AttestationChallenges.AnswerAsync("dev-1", "nonce-a", Answer("forged"), Start.AddMinutes(7), CancellationToken.None)).Standing);
    }

    [Fact]
    public async Task An_older_answer_again_after_a_newer_one_took_its_nonce_is_spent_not_a_resend()
    {
        var challenges = Stores.AttestationChallenges;
        await challenges.IssueAsync("dev-1", "first", Start, false, CancellationToken.None);
        await challenges.AnswerAsync("dev-1", "first", Answer("first"), Start.AddSeconds(1), CancellationToken.None);
        await challenges.IssueAsync("dev-1", "second", Start.AddSeconds(2), false, CancellationToken.None);
        await challenges.AnswerAsync("dev-1", "second", Answer("second"), Start.AddSeconds(3), CancellationToken.None);

        await using var other = Provider.OpenSecondNode();
        Assert.Equal(ChallengeStanding.Spent, (await other.AttestationChallenges.AnswerAsync("dev-1", "first", Answer("first"), Start.AddSeconds(4), CancellationToken.None)).Standing);
        Assert.Equal(ChallengeStanding.Resent, (await other.AttestationChallenges.AnswerAsync("dev-1", "second", Answer("second"), Start.AddSeconds(5), CancellationToken.None)).Standing);
    }

    [Fact]
    public async Task A_newer_challenge_leaves_the_older_answerable_only_as_superseded_and_the_newer_as_taken()
    {
        var challenges = Stores.AttestationChallenges;
        await challenges.IssueAsync("dev-1", "old", Start, false, CancellationToken.None);
        await challenges.IssueAsync("dev-1", "new", Start.AddSeconds(1), false, CancellationToken.None);

        await using var other = Provider.OpenSecondNode();
        Assert.Equal(new ChallengeOutcome(ChallengeStanding.Superseded, Start), await other.AttestationChallenges.AnswerAsync("dev-1", "old", Answer("old"), Start.AddMinutes(8), CancellationToken.None));
        Assert.Equal(ChallengeStanding.Resent, (await challenges.AnswerAsync("dev-1", "old", Answer("old"), Start.AddMinutes(9), CancellationToken.None)).Standing);
        Assert.Equal(new ChallengeOutcome(ChallengeStanding.Taken, Start.AddSeconds(1)), await challenges.AnswerAsync("dev-1", "new", Answer("new"), Start.AddMinutes(10), CancellationToken.None));
    }

    [Fact]
    public async Task Only_the_newest_challenges_per_device_are_kept()
    {
        var challenges = Stores.AttestationChallenges;
        for (var i = 0; i < IAttestationChallengeStore.KeptPerDevice + 3; i++)
        {
            await challenges.IssueAsync("dev-1", $"nonce-{i}", Start.AddSeconds(i), false, CancellationToken.None);
        }

        Assert.Equal(ChallengeStanding.Unknown, (await challenges.AnswerAsync("dev-1", "nonce-2", Answer("x"), Start.AddMinutes(11), CancellationToken.None)).Standing);
        Assert.Equal(ChallengeStanding.Superseded, (await challenges.AnswerAsync("dev-1", "nonce-3", Answer("x"), Start.AddMinutes(12), CancellationToken.None)).Standing);
    }

    [Fact]
    public async Task An_overdue_newest_challenge_is_listed_and_claimed_once_while_answered_superseded_and_recent_ones_are_not()
    {
        var challenges = Stores.AttestationChallenges;
        await challenges.IssueAsync("silent", "s-old", Start, false, CancellationToken.None);
        await challenges.IssueAsync("silent", "s-new", Start.AddSeconds(1), true, CancellationToken.None);
        await challenges.IssueAsync("answered", "a", Start, false, CancellationToken.None);
        await challenges.AnswerAsync("answered", "a", Answer("a"), Start.AddMinutes(13), CancellationToken.None);
        await challenges.IssueAsync("recent", "r", Start.AddMinutes(5), false, CancellationToken.None);

        var overdue = await challenges.OverdueAsync(Start.AddMinutes(1), 100, Start.AddMinutes(2), CancellationToken.None);
        var only = Assert.Single(overdue);
        Assert.Equal(("silent", Start.AddSeconds(1), true), (only.DeviceId, only.Issued, only.SecondChance));

        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => challenges.ClaimUnansweredAsync(only, Start.AddMinutes(2), CancellationToken.None))));
        Assert.Single(claims, c => c);
        Assert.Empty(await challenges.OverdueAsync(Start.AddMinutes(1), 100, Start.AddMinutes(2), CancellationToken.None));

        // A late answer after the claim still takes the nonce once (its lateness is the caller's verdict).
        Assert.Equal(ChallengeStanding.Taken, (await challenges.AnswerAsync("silent", "s-new", Answer("late"), Start.AddMinutes(14), CancellationToken.None)).Standing);
    }

    [Fact]
    public async Task Of_many_concurrent_answers_with_the_same_bytes_exactly_one_takes_the_nonce_and_the_rest_are_resends()
    {
        var challenges = Stores.AttestationChallenges;
        for (var round = 0; round < 5; round++)
        {
            await challenges.IssueAsync("dev-1", $"nonce-{round}", Start.AddSeconds(round), false, CancellationToken.None);
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => challenges.AnswerAsync("dev-1", $"nonce-{round}", Answer($"answer-{round}"), Start.AddMinutes(15), CancellationToken.None))));
            Assert.Single(outcomes, o => o.Standing == ChallengeStanding.Taken);
            Assert.All(outcomes.Where(o => o.Standing != ChallengeStanding.Taken), o => Assert.Equal(ChallengeStanding.Resent, o.Standing));
        }
    }

    private static byte[] Answer(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
