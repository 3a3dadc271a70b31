namespace Rampart.Privacy.Delivery;

/// <summary>
/// Subject changes made on this node (added, device linked, consent given or withdrawn, erased),
/// by pseudonym, right after they commit: what the cluster relay sends to the other nodes, whose
/// delivery paths reload that subject from the shared database (issue 19 §7: a withdrawal holds
/// everywhere at once). Handlers are quick and never throw.
/// </summary>
public sealed class SubjectChanges
{
    /// <summary>Raised with the pseudonym of a subject changed here.</summary>
    public event Action<string>? Changed;

    /// <summary>Tells the handlers <paramref name="pseudonym"/> changed.</summary>
    public void Announce(string pseudonym) => Changed?.Invoke(pseudonym);
}
