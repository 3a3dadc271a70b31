using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rampart.Server.Keys.Inventory;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart crypto inventory</c>: every key and certificate class of a data directory, where it is held, and what post-quantum migration needs. Offline; works beside a running node.</summary>
internal static class CryptoCommand
{
    private static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Command Create()
    {
        var data = CommonOptions.Data();
        var json = new Option<bool>("--json") { Description = "Print the inventory as JSON" };
        var inventory = new Command("inventory", "List every key and certificate class: algorithm, where held (file, encrypted file, PKCS#11, offline), quantum-vulnerable, expiry, rotation.")
        {
            data, json,
        };
        inventory.SetAction((parse, _) => CliErrors.RunAsync(() =>
        {
            var items = CryptoInventory.Read(CommonOptions.ResolveData(parse.GetValue(data)));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { items, quantumVulnerable = items.Count(item => item.QuantumVulnerable) }, _json));
                return Task.FromResult(0);
            }

            Console.WriteLine($"{"class",-20} {"algorithm",-44} {"held",-15} {"quantum",-10} {"expires",-11} {"rotate by",-11}");
            foreach (var item in items)
            {
                Console.WriteLine($"{item.Class,-20} {Cut(item.Algorithm, 44),-44} {item.Location,-15} {(item.QuantumVulnerable ? "vulnerable" : "safe"),-10} {Day(item.Expires),-11} {Day(item.RotateBy),-11}");
            }

            Console.WriteLine();
            Console.WriteLine("where:");
            foreach (var item in items.Where(item => item.Where is not null))
            {
                Console.WriteLine($"  {item.Class}: {item.Where}");
            }

            Console.WriteLine();
            Console.WriteLine($"post-quantum migration ({items.Count(item => item.QuantumVulnerable)} of {items.Count} classes are quantum-vulnerable):");
            foreach (var item in items)
            {
                Console.WriteLine($"  {item.Class}: {item.PostQuantum}");
            }

            return Task.FromResult(0);
        }));
        return new Command("crypto", "Cryptographic keys and certificates: inventory and post-quantum readiness.") { inventory };
    }

    private static string Day(DateTimeOffset? value) => value?.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-";

    private static string Cut(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
