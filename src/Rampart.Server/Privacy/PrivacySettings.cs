using Microsoft.Extensions.Configuration;
using Rampart.Privacy;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Keys;
using Rampart.Server.Hosting;

namespace Rampart.Server.Privacy;

/// <summary>
/// <c>Rampart:Privacy</c> bound and compiled at start with the node's privacy keys: a setting that
/// does not parse or does not hold together stops the node with a message that names it.
/// </summary>
public sealed record PrivacySettings(PrivacyOptions Options, KeyFolder Keys, Pseudonyms Pseudonyms, PrivacyPolicy Policy, string DataDirectory)
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Rampart:Privacy";

    public static PrivacySettings From(IConfiguration configuration, string keysDirectory)
    {
        PrivacyOptions options;
        try
        {
            options = configuration.GetSection(Section).Get<PrivacyOptions>() ?? new PrivacyOptions();
        }
        catch (InvalidOperationException exception)
        {
            throw new NodeStartupException("invalid settings:" + Environment.NewLine + "  " + exception.Message, exception);
        }

        if (options.RetentionInterval <= TimeSpan.Zero || options.RefusalEventWindow < TimeSpan.Zero || options.ClusterResyncInterval <= TimeSpan.Zero)
        {
            throw new NodeStartupException($"invalid settings:{Environment.NewLine}  {Section}:RetentionInterval and ClusterResyncInterval must be positive and RefusalEventWindow not negative");
        }

        KeyFolder keys;
        try
        {
            keys = KeyFolder.Open(keysDirectory);
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw new NodeStartupException(exception.Message, exception);
        }

        var pseudonyms = new Pseudonyms(keys.PseudonymKey);
        try
        {
            var policy = new PrivacyPolicy(options, pseudonyms);
            ArchiveSettings.Check(options.Archive, policy);
            return new PrivacySettings(options, keys, pseudonyms, policy, Path.GetDirectoryName(Path.GetFullPath(keysDirectory))!);
        }
        catch (InvalidOperationException exception)
        {
            throw new NodeStartupException("invalid settings:" + Environment.NewLine + "  " + exception.Message, exception);
        }
    }
}
