namespace Rampart.SupplyChain.Sbom;

/// <summary>Walks a dependency graph without recursion (a hostile document cannot overflow the stack) and finds cycles.</summary>
public static class DependencyGraph
{
    /// <summary>Up to <paramref name="max"/> cycles, each as the refs along it with the first repeated at the end.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(IReadOnlyList<SbomDependency> edges, int max)
    {
        var next = edges.GroupBy(e => e.From, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(e => e.To).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var cycles = new List<IReadOnlyList<string>>();
        foreach (var start in next.Keys)
        {
            if (state.ContainsKey(start))
            {
                continue;
            }

            // Iterative depth-first search; the stack holds (node, index of the next child).
            var path = new List<string>();
            var stack = new Stack<(string Node, int Child)>();
            stack.Push((start, 0));
            state[start] = 1;
            path.Add(start);
            while (stack.Count > 0 && cycles.Count < max)
            {
                var (node, child) = stack.Pop();
                var children = next.GetValueOrDefault(node) ?? [];
                if (child >= children.Length)
                {
                    state[node] = 2;
                    path.RemoveAt(path.Count - 1);
                    continue;
                }

                stack.Push((node, child + 1));
                var to = children[child];
                switch (state.GetValueOrDefault(to))
                {
                    case 1:
                        cycles.Add([.. path[path.IndexOf(to)..], to]);
                        break;
                    case 0:
                        state[to] = 1;
                        path.Add(to);
                        stack.Push((to, 0));
                        break;
                }
            }

            if (cycles.Count >= max)
            {
                break;
            }
        }

        return cycles;
    }
}
