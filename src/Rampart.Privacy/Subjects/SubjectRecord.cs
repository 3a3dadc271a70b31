namespace Rampart.Privacy.Subjects;

/// <summary>A subject as an operator sees it (decrypted): its id, region, personal fields, devices and consents.</summary>
public sealed record SubjectRecord(
    string Id, string Pseudonym, string Region, IReadOnlyDictionary<string, string> Fields, IReadOnlyList<string> Devices, IReadOnlyList<Consent> Consents, DateTimeOffset Created);

/// <summary>The sealed part of a subject: what only its data key opens.</summary>
internal sealed record SealedFields(string Id, Dictionary<string, string> Fields);
