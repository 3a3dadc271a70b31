namespace Rampart.Bench.Fuzz;

/// <summary>The node's console output, scanned for error-level lines and stack traces (kept: the first few).</summary>
internal sealed class LogScanner : TextWriter
{
    private readonly Lock _lock = new();
    private readonly System.Text.StringBuilder _line = new();

    public int Errors { get; private set; }

    public int Exceptions { get; private set; }

    public List<string> First { get; } = [];

    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            if (value != '\n')
            {
                _line.Append(value);
                return;
            }

            var line = _line.ToString();
            _line.Clear();
            var error = line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal);
            var trace = line.TrimStart().StartsWith("at ", StringComparison.Ordinal) || line.Contains("Exception:", StringComparison.Ordinal);
            Errors += error ? 1 : 0;
            Exceptions += trace ? 1 : 0;
            if ((error || trace) && First.Count < 10)
            {
                First.Add(line);
            }
        }
    }
}
