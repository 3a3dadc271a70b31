using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text.Json;
using Rampart.SupplyChain.Policy;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart sbom check|base|components|devices</c>: SBOMs, checked offline for CI or held by a node.</summary>
internal static class SbomCommand
{
    public static Command Create() => new("sbom", "SBOMs (CycloneDX 1.2–1.7, SPDX 2.2/2.3 JSON): check one offline, or what a node knows runs where.")
    {
        Check(), SbomNodeCommands.Base(), SbomNodeCommands.Components(), SbomNodeCommands.Devices(),
    };

    private static Command Check()
    {
        var file = new Argument<string?>("FILE") { Description = "The SBOM (CycloneDX or SPDX JSON)", Arity = ArgumentArity.ZeroOrOne };
        var vulns = new Option<string?>("--vulns") { Description = "Vulnerability data: a directory or archive of OSV (JSON/YAML) and CVE JSON 5 records", HelpName = "DIR" };
        var vex = new Option<string?>("--vex") { Description = "A VEX document (OpenVEX or CycloneDX VEX) whose statements are shown with the findings", HelpName = "FILE" };
        var failOn = new Option<string?>("--fail-on") { Description = "Lowest severity of an open finding that fails the check (default: high)", HelpName = "critical|high|medium|low" };
        var unscored = new Option<string?>("--unscored") { Description = "Severity a record without one counts as (default: high)", HelpName = "critical|high|medium|low" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var command = new Command("check", "Validate an SBOM against its official schema and, with --vulns, its components against vulnerability data. No node needed. Exit 0 pass, 1 policy violation, 2 error.")
        {
            file, vulns, vex, failOn, unscored, json,
        };

        // Every usage error is exit 2 here, not the parser's 1: 1 means "a violation" to a CI pipeline.
        command.Action = new CheckAction(parse =>
        {
            if (parse.Errors.Count > 0 || parse.UnmatchedTokens.Count > 0)
            {
                return Fail(string.Join("; ", parse.Errors.Select(e => e.Message).Concat(parse.UnmatchedTokens.Select(t => $"unknown argument '{t}'"))));
            }

            if (parse.GetValue(file) is not { } path)
            {
                return Fail("give the SBOM FILE");
            }

            if (Level(parse.GetValue(failOn), "--fail-on") is not { } threshold || Level(parse.GetValue(unscored), "--unscored") is not { } unrated)
            {
                return SbomCheck.Error;
            }

            SbomCheckResult result;
            try
            {
                result = SbomCheck.Run(path, parse.GetValue(vulns), parse.GetValue(vex), threshold, new SeverityPolicy(unrated));
            }
            catch (SbomException exception)
            {
                foreach (var problem in exception.Problems)
                {
                    Console.Error.WriteLine($"rampart: {path}: {problem}");
                }

                return SbomCheck.Error;
            }
            catch (Exception exception) when (exception is VulnerabilityFormatException or IOException or UnauthorizedAccessException)
            {
                return Fail(exception.Message);
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(CheckReport.Of(result), SbomOutput.Json));
            }
            else
            {
                SbomOutput.Print(result);
            }

            return result.ExitCode;
        });
        return command;
    }

    private static Severity? Level(string? text, string option)
    {
        if (text is null)
        {
            return Severity.High;
        }

        var level = Severities.Parse(text);
        if (level is null or Severity.None)
        {
            Fail($"{option} must be critical, high, medium or low");
            return null;
        }

        return level;
    }

    private static int Fail(string reason)
    {
        Console.Error.WriteLine($"rampart: sbom check: {reason}");
        return SbomCheck.Error;
    }

    private sealed class CheckAction(Func<ParseResult, int> run) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult) => run(parseResult);
    }
}
