using System.CommandLine;
using Rampart.Server.Admin;
using Rampart.Server.DataDirectory;

namespace Rampart.Cli.Commands;

/// <summary>
/// Where an admin command goes: the local admin socket of <c>--data DIR</c> (the default), or a
/// node's HTTPS API with <c>--server URL</c> and an operator token (<c>--token</c>, else the one
/// <c>rampart login</c> stored), trusting <c>--ca FILE</c> or the stored CA.
/// </summary>
internal sealed class AdminTarget
{
    public Option<string?> Data { get; } = CommonOptions.Data();

    public Option<string?> Server { get; } = new("--server") { Description = "A node's HTTPS address, instead of the local admin socket", HelpName = "URL" };

    public Option<string?> Token { get; } = new("--token") { Description = "Operator API token (default: the one rampart login stored)", HelpName = "T" };

    public Option<FileInfo?> Ca { get; } = new("--ca") { Description = "Trust only this root CA (PEM) for --server (default: the one rampart login stored)", HelpName = "FILE" };

    public Command AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(Server);
        command.Options.Add(Token);
        command.Options.Add(Ca);
        return command;
    }

    public async Task<T> SendAsync<T>(ParseResult parse, HttpMethod method, string path, CancellationToken cancellationToken, object? body = null)
    {
        if (parse.GetValue(Server) is { } server)
        {
            using var remote = Remote(parse, server);
            return await remote.SendAsync<T>(method, path, cancellationToken, body);
        }

        var directory = NodeDataDirectory.OpenExisting(CommonOptions.ResolveData(parse.GetValue(Data)));
        using var client = new AdminClient(directory.AdminSocketPath);
        try
        {
            return await client.SendAsync<T>(method, path, cancellationToken, body);
        }
        catch (HttpRequestException exception) when (AdminClient.IsNotRunning(exception))
        {
            throw new AdminCommandException($"no node is running on {directory.Root}; admin commands go through its admin socket: start it with 'rampart serve --data {directory.Root}', or use --server URL");
        }
    }

    /// <summary>Like <see cref="SendAsync{T}"/>, but streams the answer's body into <paramref name="destination"/>; returns the answer's <paramref name="header"/>.</summary>
    public async Task<string?> SendToAsync(ParseResult parse, HttpMethod method, string path, object body, Stream destination, string header, CancellationToken cancellationToken)
    {
        if (parse.GetValue(Server) is { } server)
        {
            using var remote = Remote(parse, server);
            return await remote.SendToAsync(method, path, body, destination, header, cancellationToken);
        }

        var directory = NodeDataDirectory.OpenExisting(CommonOptions.ResolveData(parse.GetValue(Data)));
        using var client = new AdminClient(directory.AdminSocketPath);
        try
        {
            return await client.SendToAsync(method, path, body, destination, header, cancellationToken);
        }
        catch (HttpRequestException exception) when (AdminClient.IsNotRunning(exception))
        {
            throw new AdminCommandException($"no node is running on {directory.Root}; admin commands go through its admin socket: start it with 'rampart serve --data {directory.Root}', or use --server URL");
        }
    }

    private AdminClient Remote(ParseResult parse, string server)
    {
        var stored = Credentials.Load();
        var sameServer = stored is not null && string.Equals(stored.Server.TrimEnd('/'), server.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
        var token = parse.GetValue(Token) ?? (sameServer ? stored!.Token : null)
            ?? throw new AdminCommandException($"no token for {server}: run 'rampart login --server {server}' or pass --token");
        return AdminClient.ForServer(server, token, CaPem(parse) ?? (sameServer ? stored!.CaPem : null));
    }

    /// <summary>A client for public endpoints (login, activation): HTTPS without a token, or the socket.</summary>
    public AdminClient Anonymous(ParseResult parse) =>
        parse.GetValue(Server) is { } server
            ? AdminClient.ForServer(server, null, CaPem(parse))
            : new AdminClient(NodeDataDirectory.OpenExisting(CommonOptions.ResolveData(parse.GetValue(Data))).AdminSocketPath);

    private string? CaPem(ParseResult parse) => parse.GetValue(Ca) is { } file ? File.ReadAllText(file.FullName) : null;
}

/// <summary>A target with its parse result, for helpers that send more than one request.</summary>
internal sealed record BoundTarget(AdminTarget Target, ParseResult Parse)
{
    public Task<T> SendAsync<T>(HttpMethod method, string path, CancellationToken cancellationToken, object? body = null) =>
        Target.SendAsync<T>(Parse, method, path, cancellationToken, body);
}
