using System.Text.RegularExpressions;
using Rampart.Testing;

namespace Rampart.Server.Tests.EndToEnd;

/// <summary>The rampart executable as a user runs it, in a child process.</summary>
internal static partial class RampartCli
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "rampart.dll");

    public static RunningProcess Serve(string data, string? workingDirectory = null, IDictionary<string, string>? environment = null, params string[] extra) =>
        RunningProcess.Start("dotnet", [Dll, "serve", "--data", data, "--https", "127.0.0.1:0", "--mqtt", "127.0.0.1:0", .. extra], workingDirectory, environment);

    public static RunningProcess ServeWithout(string? workingDirectory, IDictionary<string, string>? environment, params string[] arguments) =>
        RunningProcess.Start("dotnet", [Dll, "serve", .. arguments], workingDirectory, environment);

    public static Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) =>
        RunningProcess.RunAsync("dotnet", [Dll, .. arguments], Patience);

    /// <summary>Runs with a private config home (where login keeps its token) and optional standard input.</summary>
    public static Task<(int ExitCode, string Output)> RunAsAsync(string configHome, string? standardInput, params string[] arguments) =>
        RunningProcess.RunAsync("dotnet", [Dll, .. arguments], Patience, environment: new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = configHome }, standardInput: standardInput);

    /// <summary>Waits for the ready line and returns the HTTPS address it names.</summary>
    public static async Task<Uri> WaitUntilReadyAsync(RunningProcess process) =>
        new((await process.WaitForOutputAsync(Ready(), Patience)).Groups[1].Value);

    [GeneratedRegex(@"Rampart node ready: https=(https://[0-9.:\[\]]+/)")]
    public static partial Regex Ready();

    [GeneratedRegex("rampart-setup-[A-Za-z0-9_-]{43}")]
    public static partial Regex SetupToken();

    /// <summary>The TOTP secret <c>user activate</c> prints.</summary>
    [GeneratedRegex("secret: ([A-Z2-7]+)")]
    public static partial Regex TotpSecret();

    [GeneratedRegex("rampart-invite-[A-Za-z0-9_-]{43}")]
    public static partial Regex Invitation();

    /// <summary>The TOTP code for now plus <paramref name="stepsAhead"/> steps (each code is accepted once).</summary>
    public static string TotpCode(string secret, int stepsAhead) =>
        Fleet.Operators.Totp.TotpGenerator.Code(
            Fleet.Operators.Totp.Base32.Decode(secret), Fleet.Operators.Totp.TotpGenerator.StepOf(DateTimeOffset.UtcNow) + stepsAhead,
            System.Security.Cryptography.HashAlgorithmName.SHA1);
}
