namespace Rampart.Updates.Lms;

/// <summary>An LM-OTS parameter set (RFC 8554 §4.1, Table 1): SHA-256, n = 32, Winternitz width w.</summary>
public sealed record LmOtsType(uint Code, int W, int P, int LeftShift)
{
    /// <summary>Hash output length in bytes.</summary>
    public const int N = 32;

    public static LmOtsType Sha256N32W1 { get; } = new(1, 1, 265, 7);

    public static LmOtsType Sha256N32W2 { get; } = new(2, 2, 133, 6);

    public static LmOtsType Sha256N32W4 { get; } = new(3, 4, 67, 4);

    public static LmOtsType Sha256N32W8 { get; } = new(4, 8, 34, 0);

    /// <summary>Length of an LM-OTS signature of this type: type, C, and p chain values.</summary>
    public int SignatureLength => 4 + N + (P * N);

    public static LmOtsType? FromCode(uint code) => code switch
    {
        1 => Sha256N32W1,
        2 => Sha256N32W2,
        3 => Sha256N32W4,
        4 => Sha256N32W8,
        _ => null,
    };
}

/// <summary>An LMS parameter set (RFC 8554 §5.1, Table 2): SHA-256, m = 32, tree height h.</summary>
public sealed record LmsType(uint Code, int Height)
{
    /// <summary>Node value length in bytes.</summary>
    public const int M = 32;

    public static LmsType Sha256M32H5 { get; } = new(5, 5);

    public static LmsType Sha256M32H10 { get; } = new(6, 10);

    public static LmsType Sha256M32H15 { get; } = new(7, 15);

    public static LmsType Sha256M32H20 { get; } = new(8, 20);

    public static LmsType Sha256M32H25 { get; } = new(9, 25);

    /// <summary>One-time keys in a tree of this height: 2^h.</summary>
    public long Leaves => 1L << Height;

    public static LmsType? FromCode(uint code) => code switch
    {
        5 => Sha256M32H5,
        6 => Sha256M32H10,
        7 => Sha256M32H15,
        8 => Sha256M32H20,
        9 => Sha256M32H25,
        _ => null,
    };
}
