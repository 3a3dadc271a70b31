using System.Text.Json.Nodes;
using Rampart.Testing;
using Rampart.Updates.Tests.Tuf.Simulation;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Tests.Tuf;

/// <summary>
/// Validly signed but malformed metadata (every field of every role replaced, in turn, by a value of
/// another type) is refused with a <see cref="TufException"/> that says why: never another exception,
/// never accepted as something else.
/// </summary>
public sealed class MalformedMetadataTests
{
    private static readonly JsonNode?[] Replacements = [null, 0, -1, "x", true, new JsonArray(), new JsonObject()];
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("root")]
    [InlineData("timestamp")]
    [InlineData("snapshot")]
    [InlineData("targets")]
    [InlineData("vendor")]
    public async Task Every_field_of_a_role_replaced_by_another_type_is_refused_with_a_TufException_or_ignored(string role)
    {
        var sample = Repository(null).Signed(role);
        var paths = Paths(sample).ToList();
        Assert.NotEmpty(paths);
        var other = 0;
        foreach (var path in paths)
        {
            foreach (var replacement in Replacements)
            {
                var repository = Repository((name, signed) => name == role ? Replace(signed, path, replacement) : signed);
                try
                {
                    var client = new TufClient(repository, repository.InitialRoot, _clock);
                    await client.DownloadTargetAsync("fw/x.bin", CancellationToken.None);
                }
                catch (TufException)
                {
                }
                catch (Exception exception)
                {
                    other++;
                    Assert.Fail($"{role} with [{string.Join(", ", path)}] of {sample.ToJsonString()} = {replacement?.ToJsonString() ?? "null"}: {exception.GetType().Name}: {exception.Message}");
                }
            }
        }

        Assert.Equal(0, other);
    }

    private SimulatedRepository Repository(Func<string, JsonObject, JsonObject>? tamper)
    {
        var repository = new SimulatedRepository(_clock);
        repository.HashAlgorithms.Add("sha512");
        repository.Delegate("targets", "vendor", terminating: true, paths: ["fw/*"]);
        repository.AddTarget("fw/x.bin", "x"u8.ToArray(), "vendor", new JsonObject { ["svn"] = 1 });
        repository.Tamper = tamper;
        repository.PublishRoot();
        repository.Publish();
        return repository;
    }

    // Every path to a member or element of the signed part, by position (key ids differ from one repository to the next).
    private static IEnumerable<List<int>> Paths(JsonNode? node, List<int>? prefix = null)
    {
        prefix ??= [];
        IEnumerable<(int Key, JsonNode? Child)> children = node switch
        {
            JsonObject obj => obj.Select((p, i) => (i, p.Value)),
            JsonArray array => array.Select((child, i) => (i, child)),
            _ => [],
        };
        foreach (var (key, child) in children)
        {
            var path = new List<int>(prefix) { key };
            yield return path;
            foreach (var deeper in Paths(child, path))
            {
                yield return deeper;
            }
        }
    }

    private static JsonObject Replace(JsonObject signed, List<int> path, JsonNode? replacement)
    {
        var copy = (JsonObject)signed.DeepClone();
        JsonNode parent = copy;
        foreach (var index in path[..^1])
        {
            parent = (parent is JsonObject obj ? obj.ElementAt(index).Value : parent[index])!;
        }

        var value = replacement?.DeepClone();
        if (parent is JsonObject target)
        {
            target[target.ElementAt(path[^1]).Key] = value;
        }
        else
        {
            parent[path[^1]] = value;
        }

        return copy;
    }
}
