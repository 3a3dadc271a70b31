using Microsoft.Extensions.Configuration;
using Rampart.Detection;
using Rampart.Detection.Profiles;
using Rampart.Detection.Response;
using Rampart.Server.Hosting;

namespace Rampart.Server.Detection;

/// <summary>
/// Detection's settings (<c>Rampart:Detection</c>, <c>Rampart:Detection:Response</c>) and the rules of
/// its profiles file, bound and checked at start: every problem in one message, each naming its setting or rule.
/// </summary>
public sealed record DetectionSettings(DetectionOptions Detection, ResponseOptions Response, IReadOnlyList<StaticRule> FileRules)
{
    public static DetectionSettings From(IConfiguration configuration)
    {
        var detection = new DetectionOptions();
        var response = new ResponseOptions();
        try
        {
            configuration.GetSection("Rampart:Detection").Bind(detection);
            configuration.GetSection("Rampart:Detection:Response").Bind(response);
        }
        catch (InvalidOperationException exception)
        {
            throw new NodeStartupException($"invalid detection settings: {exception.Message}", exception);
        }

        var problems = detection.Problems().Concat(response.Problems()).ToList();
        IReadOnlyList<StaticRule> rules = [];
        if (detection.ProfilesFile is { } path)
        {
            try
            {
                var info = new FileInfo(path);
                rules = !info.Exists ? throw new RuleSetException([$"no such file"])
                    : info.Length > RuleSet.MaxDocumentBytes ? throw new RuleSetException([$"larger than {RuleSet.MaxDocumentBytes / 1024} KiB"])
                    : RuleSet.Parse(File.ReadAllBytes(path));
            }
            catch (Exception exception) when (exception is RuleSetException or IOException or UnauthorizedAccessException)
            {
                var reasons = exception is RuleSetException invalid ? invalid.Problems : [exception.Message];
                problems.AddRange(reasons.Select(reason => $"Detection:ProfilesFile {path}: {reason}"));
            }
        }

        return problems.Count > 0
            ? throw new NodeStartupException("invalid settings:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems))
            : new DetectionSettings(detection, response, rules);
    }
}
