namespace Rampart.Fleet.Operators;

/// <summary>A new API token, shown once.</summary>
public sealed record IssuedApiToken(long Id, string Name, string Token, IReadOnlyList<string> Scopes, DateTimeOffset Expires)
{
    /// <summary>Keeps the token out of anything that prints records.</summary>
    public override string ToString() => $"IssuedApiToken {{ Id = {Id}, Name = {Name}, Expires = {Expires:O} }}";
}
