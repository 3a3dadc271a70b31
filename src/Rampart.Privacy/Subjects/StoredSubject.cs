namespace Rampart.Privacy.Subjects;

/// <summary>A data subject as stored: its pseudonym, region, and its personal fields sealed with its data key (never in clear).</summary>
public sealed record StoredSubject(string Pseudonym, string Region, byte[] Sealed, DateTimeOffset Created);

/// <summary>A subject's answer to one purpose (art. 7): granted or withdrawn, and when.</summary>
public sealed record Consent(string Pseudonym, string Purpose, bool Granted, DateTimeOffset Changed);

/// <summary>What the delivery path needs of a subject: its region, devices and the purposes it consents to.</summary>
public sealed record SubjectRouting(string Pseudonym, string Region, IReadOnlyList<string> Devices, IReadOnlySet<string> Consented);
