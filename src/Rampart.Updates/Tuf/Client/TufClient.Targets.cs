using Microsoft.Extensions.Logging;

namespace Rampart.Updates.Tuf;

/// <summary>Finding a target through the delegation graph (§5.6.7) and downloading it (§5.7).</summary>
public sealed partial class TufClient
{
    /// <summary>
    /// The signed description of <paramref name="path"/>, or null when no trusted role lists it. Refreshes
    /// first if this client has not. §5.6.7: a pre-order depth-first search from the top-level targets;
    /// a role's children are those of its delegations whose paths or hash prefixes cover the target, in
    /// the order listed; a terminating delegation that covers it ends the search below it (no other
    /// branch is tried); each role is visited once (a cycle ends), and at most
    /// <see cref="TufClientOptions.MaxDelegations"/> roles are visited.
    /// </summary>
    public async Task<TargetFile?> FindTargetAsync(string path, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(path) || path.Length > PathPattern.MaxLength)
        {
            throw new ArgumentException($"a target path is 1 to {PathPattern.MaxLength} characters", nameof(path));
        }

        if (!_refreshed)
        {
            await RefreshAsync(cancellationToken);
        }

        var toVisit = new Stack<(string Role, string Delegator)>([("targets", "root")]);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        while (toVisit.Count > 0 && visited.Count < _options.MaxDelegations)
        {
            var (role, delegator) = toVisit.Pop();
            if (visited.Contains(role))
            {
                continue;
            }

            var (metadata, delegations) = await LoadTargetsAsync(role, delegator, cancellationToken);
            if (metadata.Signed["targets"]?[path] is { } entry)
            {
                return TargetFile.Parse(path, entry, role);
            }

            visited.Add(role);
            var children = new List<(string Role, string Delegator)>();
            foreach (var child in delegations?.RolesFor(path) ?? [])
            {
                children.Add((child.Name, role));
                if (child.Terminating)
                {
                    // §5.6.7.2.1: nothing outside this delegation is searched any more.
                    toVisit.Clear();
                    break;
                }
            }

            // Pushed last-first, so the first listed child is searched first (pre-order).
            for (var i = children.Count - 1; i >= 0; i--)
            {
                toVisit.Push(children[i]);
            }
        }

        if (toVisit.Count > 0)
        {
            SearchBounded(_logger, path, _options.MaxDelegations);
        }

        return null;
    }

    /// <summary>Finds <paramref name="path"/> and downloads it; refused when no trusted role lists it.</summary>
    public async Task<byte[]> DownloadTargetAsync(string path, CancellationToken cancellationToken)
    {
        var target = await FindTargetAsync(path, cancellationToken)
            ?? throw new TufException(TufFailure.UnknownTarget, $"'{path}' is not in the signed targets metadata");
        return await DownloadTargetAsync(target, cancellationToken);
    }

    /// <summary>
    /// Downloads <paramref name="target"/> (§5.7.3: under its hash with consistent snapshots), bounded by and
    /// checked against its signed length and every supported signed hash (§5.7.4). With a
    /// <see cref="TufClientOptions.TargetCache"/>, a cached copy that matches is returned with no request.
    /// </summary>
    public async Task<byte[]> DownloadTargetAsync(TargetFile target, CancellationToken cancellationToken)
    {
        if (_options.TargetCache?.TryRead(target) is { } cached)
        {
            TargetFromCache(_logger, target.Path);
            return cached;
        }

        var bytes = await FetchAsync(target.RemotePath(_trusted.Root.ConsistentSnapshot), target.Length, TufFailure.BadTarget, cancellationToken)
            ?? throw new TufException(TufFailure.BadTarget, $"target '{target.Path}' is missing");
        if (target.Mismatch(bytes) is { } why)
        {
            throw new TufException(TufFailure.BadTarget, $"target '{target.Path}' does not match its signed metadata: {why}");
        }

        _options.TargetCache?.Write(target, bytes);
        return bytes;
    }

    [LoggerMessage(EventId = 7205, Level = LogLevel.Warning, Message = "TUF: the search for {Path} stopped after {Max} delegated roles")]
    private static partial void SearchBounded(ILogger logger, string path, int max);

    [LoggerMessage(EventId = 7206, Level = LogLevel.Debug, Message = "TUF: {Path} taken from the target cache (length and hashes match)")]
    private static partial void TargetFromCache(ILogger logger, string path);
}
