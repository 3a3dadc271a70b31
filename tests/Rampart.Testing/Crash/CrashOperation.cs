namespace Rampart.Testing.Crash;

/// <summary>The durable operations the crash load runs; each must complete with its audit entry or leave no trace.</summary>
[Flags]
public enum CrashOperation
{
    /// <summary>Add a device (device row, bootstrap token, two audit entries) and enroll it over EST.</summary>
    Enroll = 1,

    /// <summary>Renew an enrolled device's certificate over EST with its current certificate (mutual TLS).</summary>
    Renew = 2,

    /// <summary>Revoke one certificate by serial.</summary>
    Revoke = 4,

    /// <summary>Quarantine an active device and release it.</summary>
    Quarantine = 8,

    /// <summary>Retire a device (state, tokens, certificates, audit entries in one transaction).</summary>
    Retire = 16,

    /// <summary>Issue a new bootstrap token for a registered device (revoking the old one).</summary>
    Reissue = 32,

    /// <summary>Rotate the one-time setup token (an audit append with a state change).</summary>
    SetupToken = 64,

    /// <summary>Invite an operator, activate the account over HTTPS, log in (an API token) and log out (its revocation).</summary>
    User = 128,

    /// <summary>Upload a firmware image and create a staged release from it (signed manifest, TUF targets, row and entry).</summary>
    Release = 256,

    /// <summary>Create a release and promote it: one security officer requests, another approves (both logged in with password and TOTP).</summary>
    Promote = 512,

    /// <summary>Roll a production release out to a device enrolled for it, then pause, resume or cancel the rollout.</summary>
    Rollout = 1024,

    /// <summary>Releases, their promotion and rollouts.</summary>
    Updates = Release | Promote | Rollout,

    /// <summary>All of the above.</summary>
    All = Enroll | Renew | Revoke | Quarantine | Retire | Reissue | SetupToken | User | Updates,
}
