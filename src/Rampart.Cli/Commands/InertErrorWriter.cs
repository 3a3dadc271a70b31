using System.Text;
using Rampart.Fleet.Errors;

namespace Rampart.Cli.Commands;

/// <summary>
/// Standard error with every control character but line breaks and tabs escaped
/// (<see cref="Echo.Inert"/>). Errors quote what the user typed and what a node answered, either of
/// which may hold an escape sequence; on the way to a terminal it must stay text.
/// </summary>
internal sealed class InertErrorWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override void Write(char value) => inner.Write(Echo.Inert(value.ToString(), keepLineBreaks: true));

    public override void Write(string? value) => inner.Write(value is null ? null : Echo.Inert(value, keepLineBreaks: true));

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => inner.WriteLine(value is null ? null : Echo.Inert(value, keepLineBreaks: true));

    public override Task WriteAsync(string? value) => inner.WriteAsync(value is null ? null : Echo.Inert(value, keepLineBreaks: true));

    public override Task WriteLineAsync(string? value) => inner.WriteLineAsync(value is null ? null : Echo.Inert(value, keepLineBreaks: true));

    public override void Flush() => inner.Flush();

    public override Task FlushAsync() => inner.FlushAsync();
}
