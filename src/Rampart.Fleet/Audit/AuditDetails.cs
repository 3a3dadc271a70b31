using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Rampart.Fleet.Audit;

/// <summary>
/// Details are stored as JSON with keys in ordinal order, so the same facts always hash the same.
/// </summary>
internal static class AuditDetails
{
    public static string Serialize(IReadOnlyDictionary<string, string>? details)
    {
        if (details is null || details.Count == 0)
        {
            return "{}";
        }

        using var buffer = new MemoryStream();
        // Stored as data, never rendered as HTML: escape only what JSON requires, so details stay readable.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in details.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
