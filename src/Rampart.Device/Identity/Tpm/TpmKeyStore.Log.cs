using Microsoft.Extensions.Logging;

namespace Rampart.Device.Identity.Tpm;

public sealed partial class TpmKeyStore
{
    [LoggerMessage(EventId = 7301, Level = LogLevel.Information, Message = "TPM key store: next key created at {Next} (current {Current}); renewal pending")]
    private static partial void NextKeyCreated(ILogger logger, string next, string current);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Information, Message = "TPM key store: swap recorded, {Current} is the device key now (certificate {Thumbprint})")]
    private static partial void SwapRecorded(ILogger logger, string current, string thumbprint);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Information, Message = "TPM key store: old key at {Retired} evicted")]
    private static partial void OldKeyEvicted(ILogger logger, string retired);

    [LoggerMessage(EventId = 7304, Level = LogLevel.Warning, Message = "TPM key store: an unfinished renewal was discarded (next key {Pending} evicted, {Current} stays the device key)")]
    private static partial void RenewalDiscarded(ILogger logger, string pending, string current);

    [LoggerMessage(EventId = 7305, Level = LogLevel.Warning, Message = "TPM key store: a recorded swap is finished ({Current} is the device key, {Retired} to be evicted)")]
    private static partial void RenewalFinished(ILogger logger, string current, string retired);
}
