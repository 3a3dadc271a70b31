namespace Rampart.Fleet.Enrollment;

/// <summary>A freshly issued bootstrap token: the only moment it exists in the clear.</summary>
public sealed record IssuedBootstrapToken(string DeviceId, string Token, DateTimeOffset Expires)
{
    /// <summary>Keeps the token out of anything that prints records.</summary>
    public override string ToString() => $"IssuedBootstrapToken {{ DeviceId = {DeviceId}, Expires = {Expires:O} }}";
}
