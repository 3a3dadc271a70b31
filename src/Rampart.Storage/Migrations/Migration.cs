using System.Security.Cryptography;
using System.Text;

namespace Rampart.Storage.Migrations;

/// <summary>One ordered schema change. Its checksum is recorded when applied, so an edited migration is noticed.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the SQL text.</summary>
    public byte[] Checksum { get; } = SHA256.HashData(Encoding.UTF8.GetBytes(Sql));
}
