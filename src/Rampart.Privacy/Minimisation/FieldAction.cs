namespace Rampart.Privacy.Minimisation;

/// <summary>What a minimisation rule does to one top-level JSON field.</summary>
internal enum FieldActionKind
{
    Drop,
    Round,
    Bucket,
    Pseudonymise,
}

/// <summary>One field's action: its UTF-8 name and the action's parameter (decimal places, bucket length).</summary>
internal sealed record FieldAction(byte[] Name, FieldActionKind Kind, int Decimals = 0, long BucketTicks = 0);
