namespace Rampart.Updates.Rollouts;

/// <summary>
/// Which devices a rollout targets: <c>model=…,site=…,zone=…,tag=…</c> (every given term must hold;
/// <c>tag</c> may repeat and each must be present). Exact, case-sensitive matches.
/// </summary>
public sealed record DeviceSelector(string? Model, string? Site, string? Zone, IReadOnlyList<string> Tags)
{
    /// <summary>Longest selector text accepted.</summary>
    public const int MaxLength = 1024;

    /// <summary>Parses a selector; throws <see cref="FormatException"/> naming the bad term.</summary>
    public static DeviceSelector Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxLength)
        {
            throw new FormatException($"a selector is 1 to {MaxLength} characters of key=value terms (model, site, zone, tag)");
        }

        string? model = null, site = null, zone = null;
        var tags = new List<string>();
        foreach (var term in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var at = term.IndexOf('=', StringComparison.Ordinal);
            var key = at > 0 ? term[..at] : term;
            var value = at > 0 ? term[(at + 1)..] : string.Empty;
            if (value.Length == 0)
            {
                throw new FormatException($"'{term}' is not key=value");
            }

            switch (key)
            {
                case "model" when model is null: model = value; break;
                case "site" when site is null: site = value; break;
                case "zone" when zone is null: zone = value; break;
                case "tag": tags.Add(value); break;
                case "model" or "site" or "zone": throw new FormatException($"'{key}' is given twice");
                default: throw new FormatException($"unknown selector key '{key}'; use model, site, zone or tag");
            }
        }

        return new DeviceSelector(model, site, zone, tags);
    }

    /// <summary>True when a device with these attributes is selected.</summary>
    public bool Matches(string? model, string? site, string? zone, IReadOnlyCollection<string> tags) =>
        (Model is null || Model == model) && (Site is null || Site == site) && (Zone is null || Zone == zone) && Tags.All(tags.Contains);

    /// <inheritdoc />
    public override string ToString() => string.Join(',',
        new[] { ("model", Model), ("site", Site), ("zone", Zone) }.Where(t => t.Item2 is not null).Select(t => $"{t.Item1}={t.Item2}")
            .Concat(Tags.Select(t => $"tag={t}")));
}
