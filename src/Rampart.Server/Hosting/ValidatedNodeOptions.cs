namespace Rampart.Server.Hosting;

/// <summary>Node options after validation: parsed, absolute, and captured once.</summary>
public sealed record ValidatedNodeOptions(
    string DataDirectory,
    EndpointAddress Https,
    EndpointAddress Mqtt,
    bool JsonLogs,
    TimeSpan ShutdownTimeout,
    IReadOnlyList<string> ServerNames)
{
    /// <summary>Checks every option, collecting all problems into one clear message.</summary>
    public static ValidatedNodeOptions From(NodeOptions options)
    {
        var problems = new List<string>();
        if (!EndpointAddress.TryParse(options.Https, out var https, out var httpsReason))
        {
            problems.Add($"--https: {httpsReason}");
        }

        if (!EndpointAddress.TryParse(options.Mqtt, out var mqtt, out var mqttReason))
        {
            problems.Add($"--mqtt: {mqttReason}");
        }

        var format = options.LogFormat?.Trim().ToLowerInvariant();
        if (format is not ("text" or "json"))
        {
            problems.Add($"--log-format: '{options.LogFormat}' is not one of: text, json");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            problems.Add("--data: a data directory is required");
        }

        if (options.ShutdownTimeout <= TimeSpan.Zero || options.ShutdownTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add("ShutdownTimeout: must be between 0 and 5 minutes");
        }

        if (https is not null && mqtt is not null && https.Port != 0 && https.Equals(mqtt))
        {
            problems.Add($"--https and --mqtt both name {https}; each listener needs its own address");
        }

        foreach (var name in options.ServerNames)
        {
            if (!System.Net.IPAddress.TryParse(name, out _) && Uri.CheckHostName(name) != UriHostNameType.Dns)
            {
                problems.Add($"ServerNames: '{name}' is neither a DNS name nor an IP address");
            }
        }

        if (problems.Count > 0)
        {
            throw new NodeStartupException("invalid settings:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems));
        }

        return new ValidatedNodeOptions(Path.GetFullPath(options.DataDirectory), https!, mqtt!, format == "json", options.ShutdownTimeout, options.ServerNames.ToArray());
    }
}
