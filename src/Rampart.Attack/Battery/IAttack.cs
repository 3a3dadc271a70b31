namespace Rampart.Attack.Battery;

/// <summary>
/// One real attack against a node its operator owns. It names the control it tests and the field
/// problem and OWASP IoT Top 10 (2018) item that control answers, and judges its own outcome from
/// what the node did — never from what the node says about itself.
/// </summary>
public interface IAttack
{
    /// <summary>A stable, kebab-case name (<c>--only NAME</c>).</summary>
    string Name { get; }

    /// <summary>What the attack tries, in a sentence.</summary>
    string Description { get; }

    /// <summary>Which control must hold, and how it is tested.</summary>
    AttackMapping Mapping { get; }

    /// <summary>Runs the attack; returns whether the control held, with the evidence.</summary>
    Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken);
}
