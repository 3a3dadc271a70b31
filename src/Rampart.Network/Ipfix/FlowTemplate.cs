namespace Rampart.Network.Ipfix;

/// <summary>One field of a template (RFC 7011 §3.2): the Information Element, its length (65535: variable, §7), whether it is enterprise-specific.</summary>
public readonly record struct TemplateField(ushort Element, ushort Length, bool Enterprise)
{
    public const ushort Variable = 65535;
}

/// <summary>
/// A template as an exporter announced it (RFC 7011 §3.4.1, RFC 3954 §5.2): data records of its id are
/// read field by field. Options templates (§3.4.2.2) are kept only to step over their records.
/// </summary>
public sealed record FlowTemplate(ushort Id, IReadOnlyList<TemplateField> Fields, bool Options)
{
    /// <summary>The shortest record this template describes (a variable-length field takes at least one byte).</summary>
    public int MinimumLength { get; } = Fields.Sum(f => f.Length == TemplateField.Variable ? 1 : f.Length);
}

/// <summary>
/// Templates per exporter and observation domain (RFC 7011 §8: a template's scope is the transport
/// session and observation domain; over UDP, the exporter's address and port). Bounded in exporters
/// and templates each: past the limit a new template is refused, never an old one evicted silently.
/// </summary>
public sealed class TemplateCache(int maxSources, int maxTemplatesPerSource)
{
    private readonly Dictionary<(string Source, uint Domain), Dictionary<ushort, FlowTemplate>> _templates = [];
    private int _count;

    public int Sources => _templates.Count;

    /// <summary>Templates held now, over all exporters (read by the metrics from another thread).</summary>
    public int Count => Volatile.Read(ref _count);

    public FlowTemplate? Find(string source, uint domain, ushort id) =>
        _templates.TryGetValue((source, domain), out var templates) && templates.TryGetValue(id, out var template) ? template : null;

    public void Set(string source, uint domain, FlowTemplate template)
    {
        if (!_templates.TryGetValue((source, domain), out var templates))
        {
            if (_templates.Count >= maxSources)
            {
                throw new NetworkInputException($"templates from more than {maxSources} exporters and domains");
            }

            templates = [];
            _templates[(source, domain)] = templates;
        }

        if (!templates.ContainsKey(template.Id) && templates.Count >= maxTemplatesPerSource)
        {
            throw new NetworkInputException($"more than {maxTemplatesPerSource} templates from {source} domain {domain}");
        }

        if (templates.TryAdd(template.Id, template))
        {
            Interlocked.Increment(ref _count);
        }
        else
        {
            templates[template.Id] = template;
        }
    }

    /// <summary>RFC 7011 §8.1: a template withdrawal (field count 0); id 2 or 3 with count 0 withdraws all (of that kind).</summary>
    public void Withdraw(string source, uint domain, ushort id, bool options)
    {
        if (!_templates.TryGetValue((source, domain), out var templates))
        {
            return;
        }

        if (id is 2 or 3)
        {
            foreach (var key in templates.Where(t => t.Value.Options == options).Select(t => t.Key).ToArray())
            {
                templates.Remove(key);
                Interlocked.Decrement(ref _count);
            }
        }
        else if (templates.Remove(id))
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
