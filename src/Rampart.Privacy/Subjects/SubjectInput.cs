using Rampart.Fleet.Errors;

namespace Rampart.Privacy.Subjects;

/// <summary>Bounds and checks on what an operator gives about a subject: a bad value is refused with its reason, nothing is stored.</summary>
internal static class SubjectInput
{
    public const int MaxIdLength = 128;
    public const int MaxFields = 16;
    public const int MaxFieldNameLength = 32;
    public const int MaxFieldValueLength = 512;
    public const int MaxPurposeLength = 64;

    public static void CheckId(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > MaxIdLength || id.Any(char.IsControl))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"a subject id is 1 to {MaxIdLength} printable characters");
        }
    }

    public static void CheckFields(IReadOnlyDictionary<string, string>? fields)
    {
        if (fields is null)
        {
            return;
        }

        if (fields.Count > MaxFields)
        {
            throw new FleetException(FleetErrorKind.Invalid, $"at most {MaxFields} fields per subject");
        }

        foreach (var (name, value) in fields)
        {
            if (name.Length is 0 or > MaxFieldNameLength || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                throw new FleetException(FleetErrorKind.Invalid, $"field names are 1 to {MaxFieldNameLength} of a-z, 0-9 and '-'");
            }

            if (value is null || value.Length > MaxFieldValueLength || value.Any(char.IsControl))
            {
                throw new FleetException(FleetErrorKind.Invalid, $"field {name}: at most {MaxFieldValueLength} printable characters");
            }
        }
    }

    public static void CheckPurpose(string? purpose)
    {
        if (string.IsNullOrEmpty(purpose) || purpose.Length > MaxPurposeLength || !purpose.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.'))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"a purpose is 1 to {MaxPurposeLength} of a-z, 0-9, '-' and '.'");
        }
    }
}
