using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Totp;

namespace Rampart.Server.Tests.Posture;

/// <summary>An API token of a fresh operator of a role (TOTP enrolled when the role requires it), for posture's API tests.</summary>
internal static class OperatorTokens
{
    public static async Task<string> ForRoleAsync(Rampart.Server.Hosting.RampartNode node, string role)
    {
        var users = node.Services.GetRequiredService<UserService>();
        var name = "u-" + role + "-" + Guid.NewGuid().ToString("N")[..6];
        var invitation = await users.InviteAsync(name, role, null, null, "local-admin", CancellationToken.None);
        var activation = await users.ActivateAsync(invitation.Token, null, "tidal-orbit-quince-7-lantern", CancellationToken.None);
        if (!activation.Activated)
        {
            var step = TotpGenerator.StepOf(DateTimeOffset.UtcNow);
            await users.ConfirmAsync(invitation.Token, null, TotpGenerator.Code(Base32.Decode(activation.TotpSecret!), step, System.Security.Cryptography.HashAlgorithmName.SHA1), CancellationToken.None);
        }

        var user = await users.GetActiveAsync(name, CancellationToken.None);
        return (await node.Services.GetRequiredService<ApiTokenService>().CreateAsync(OperatorIdentity.Of(user!), "posture", null, TimeSpan.FromHours(1), CancellationToken.None)).Token;
    }
}
