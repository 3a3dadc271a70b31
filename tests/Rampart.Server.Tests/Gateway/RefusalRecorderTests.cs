using Microsoft.Extensions.Logging;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Monitoring;
using Rampart.Server.Gateway;

namespace Rampart.Server.Tests.Gateway;

public sealed class RefusalRecorderTests
{
    [Fact]
    public void A_scan_cannot_flood_the_log_and_what_was_suppressed_is_counted_and_reported()
    {
        var clock = new StepClock();
        var log = new CountingLogger();
        var recorder = new RefusalRecorder(new GatewayOptions { RefusalsRecordedPerSecond = 2 }, Tap(), clock, log);

        for (var i = 0; i < 1000; i++)
        {
            recorder.Record($"203.0.113.{i % 250}:4000", "tls-handshake-failed", "no client certificate");
        }

        // Burst of max(10, 5 × rate) = 10, then nothing until the budget refills.
        Assert.Equal(10, log.Lines.Count);
        Assert.Equal((1000, 990), (recorder.Refused, recorder.Suppressed));

        clock.Advance(TimeSpan.FromSeconds(1));
        recorder.Record("203.0.113.1:4000", "tls-handshake-failed", "no client certificate");

        Assert.Equal(11, log.Lines.Count);
        Assert.Contains("990 earlier refusal(s) were counted but not logged", log.Lines[^1], StringComparison.Ordinal);
    }

    private static GatewayEventTap Tap() => new(new NullEventStore(), new FleetEventStream(), TimeProvider.System);

    private sealed class StepClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    private sealed class CountingLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }

    private sealed class NullEventStore : ISecurityEventStore
    {
        public Task AppendAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task AppendManyAsync(IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<StoredSecurityEvent>> ListAfterAsync(long afterId, string? deviceId, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<StoredSecurityEvent>>([]);

        public Task<IReadOnlyList<StoredSecurityEvent>> ListAsync(string? deviceId, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<StoredSecurityEvent>>([]);

        public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
