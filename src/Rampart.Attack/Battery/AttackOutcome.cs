namespace Rampart.Attack.Battery;

/// <summary>What happened to the control an attack tested.</summary>
public enum AttackVerdict
{
    /// <summary>The node refused or contained the attack.</summary>
    Held,

    /// <summary>The attack succeeded (or the node misbehaved, e.g. stopped answering).</summary>
    NotHeld,

    /// <summary>The attack could not be run here (e.g. nothing to attack yet); says why. Never counted as held.</summary>
    Skipped,
}

/// <summary>An attack's verdict and the evidence: what was sent and what the node answered.</summary>
public sealed record AttackOutcome(AttackVerdict Verdict, string Evidence)
{
    public static AttackOutcome Held(string evidence) => new(AttackVerdict.Held, evidence);

    public static AttackOutcome NotHeld(string evidence) => new(AttackVerdict.NotHeld, evidence);

    public static AttackOutcome Skipped(string why) => new(AttackVerdict.Skipped, why);

    /// <summary>Held when <paramref name="held"/>, with the one evidence line either way.</summary>
    public static AttackOutcome Judge(bool held, string evidence) => held ? Held(evidence) : NotHeld(evidence);
}

/// <summary>Thrown by an attack that cannot run here; the battery reports it as skipped with the message.</summary>
public sealed class AttackSkippedException(string message) : Exception(message);
