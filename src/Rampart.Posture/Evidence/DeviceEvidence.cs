using Rampart.Fleet.Inventory;
using Rampart.Posture.Models;

namespace Rampart.Posture.Evidence;

/// <summary>
/// What is judged: a device with the evidence Rampart holds about it and its model's declaration, or
/// (for procurement and <c>--model</c>) a model's declaration alone (<see cref="Device"/> null).
/// </summary>
public sealed record PostureSubject(
    Device? Device,
    DeviceModel? Model,
    IReadOnlyList<CertificateFact> Certificates,
    bool KeyShared,
    ReportedPosture? Posture,
    FirmwareFact? Firmware,
    ExposureAnswer Exposure,
    int OpenAlerts,
    bool Confined,
    DateTimeOffset Now)
{
    /// <summary>A model's declaration alone: procurement evidence, nothing observed.</summary>
    public static PostureSubject OfModel(DeviceModel model, DateTimeOffset now) =>
        new(null, model, [], false, null, null, ExposureAnswer.NoSource, 0, false, now);

    private CertificateFact? _live;
    private bool _liveFound;

    /// <summary>The certificate the device uses now: its newest live one (found once; a dozen judges ask).</summary>
    public CertificateFact? LiveCertificate
    {
        get
        {
            if (!_liveFound)
            {
                _live = Certificates.Where(c => c.IsLive(Now)).MaxBy(c => c.NotBefore);
                _liveFound = true;
            }

            return _live;
        }
    }

    /// <summary>The end of support: the inventory's date for the device, else the model's declared one.</summary>
    public DateOnly? SupportUntil => Device?.SupportUntil ?? Model?.Capabilities.Update.SupportUntil;

    /// <summary>Today, in UTC.</summary>
    public DateOnly Today => DateOnly.FromDateTime(Now.UtcDateTime);
}

/// <summary>What a device last reported through Rampart's update client (TUF-verified, rollback-protected).</summary>
public sealed record FirmwareFact(string Version, long SecurityVersion, DateTimeOffset Reported);
