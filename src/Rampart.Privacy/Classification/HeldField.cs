namespace Rampart.Privacy.Classification;

/// <summary>
/// One row of the record of processing (GDPR art. 30): a stored field, its class, why it is held,
/// where it lives, and the retention that bounds it (a key of <see cref="Retention.RetentionPolicy"/>,
/// or a sentence when it lives as long as what it describes).
/// </summary>
public sealed record HeldField(string Store, string Field, DataClass Class, string Purpose, string Where, string Retention, bool EncryptedAtRest = false);
