using System.CommandLine;
using Rampart.Fleet.Audit;
using Rampart.Server.DataDirectory;
using Rampart.Server.Keys;
using Rampart.Storage;
using Rampart.Storage.Postgres;
using Rampart.Storage.Sqlite;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart audit verify</c>: recompute the chain and checkpoints; works while the node runs, on SQLite or on the cluster's PostgreSQL (the same storage settings as <c>serve</c>).</summary>
internal static class AuditCommand
{
    /// <summary>Exit code when the log does not verify.</summary>
    public const int Broken = 1;

    public static Command Create()
    {
        var data = CommonOptions.Data();
        var auditKey = new Option<string?>("--audit-key")
        {
            Description = "Verify checkpoints against this public key (PEM) kept away from the node, instead of DIR/audit-signing.pub.pem",
            HelpName = "FILE",
        };
        var mlDsaKey = new Option<string?>("--audit-ml-dsa-key")
        {
            Description = "Verify the checkpoints' ML-DSA-65 signatures against this public key (PEM) of the --audit-key's stretch of the log, instead of the -mldsa65.pub.pem file beside it",
            HelpName = "FILE",
        };
        var verify = new Command("verify", "Recompute the audit chain and its signed checkpoints; name the first entry that does not verify.")
        {
            data, auditKey, mlDsaKey,
        };
        verify.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var storage = CommonOptions.ResolveStorage();
            var directory = NodeDataDirectory.OpenExisting(CommonOptions.ResolveData(parse.GetValue(data)));
            if (!storage.IsPostgres && !File.Exists(directory.DatabasePath))
            {
                throw new Server.Hosting.NodeStartupException($"{directory.Root} has no audit log (no rampart.db)");
            }

            var publicKeyPath = parse.GetValue(auditKey) ?? directory.AuditPublicKeyPath;
            using var publicKey = NodeKeyring.LoadAuditPublicKey(publicKeyPath);

            // The ML-DSA-65 companion of that key: given, or the file written beside it (none for a log from before it).
            var mlDsaPath = parse.GetValue(mlDsaKey) ?? AuditMlDsaKey.PublicKeyPathBeside(publicKeyPath);
            var mlDsaPublicKey = parse.GetValue(mlDsaKey) is not null || File.Exists(mlDsaPath) ? AuditMlDsaKey.LoadPublic(mlDsaPath) : null;

            // Read-only either way: the SQLite file under query_only, PostgreSQL in read-only transactions.
            await using NodeStores stores = storage.IsPostgres
                ? new PostgresNodeStores(new PostgresDatabase(storage.ConnectionString!, readOnly: true))
                : new SqliteNodeStores(new SqliteDatabase(directory.DatabasePath, readOnly: true));
            var store = stores.Audit;
            var result = await new AuditVerifier(publicKey, mlDsaPublicKey).VerifyAsync(store, cancellationToken);
            if (result.IsIntact)
            {
                Console.WriteLine($"audit log intact: {result.EntriesVerified} entries and {result.CheckpointsVerified} checkpoints verified, "
                    + $"{result.MlDsa65Verified} of them also by ML-DSA-65 (audit key {AuditSigningKey.KeyIdOf(publicKey)})");
                return 0;
            }

            Console.WriteLine($"audit log does NOT verify: first bad entry {result.FirstBadSequence}: {result.Problem}");
            Console.WriteLine($"{result.EntriesVerified} entries before it verified.");
            return Broken;
        }));

        return new Command("audit", "The tamper-evident audit log.") { verify, RotateKey() };
    }

    private static Command RotateKey()
    {
        var data = CommonOptions.Data();
        var rotate = new Command("rotate-key", "Replace the audit signing key of a stopped node; the log records the hand-over, so either key verifies all of it.") { data };
        rotate.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var directory = CommonOptions.ResolveData(parse.GetValue(data));
            var rotation = await AuditKeyRotator.RotateAsync(directory, CommonOptions.ResolveStorage(), Server.Admin.LocalAdminConnection.Actor, TimeProvider.System, cancellationToken);
            Console.WriteLine(rotation.FinishedInterrupted
                ? $"finished the interrupted audit key rotation: key {rotation.FromKeyId} -> {rotation.ToKeyId}"
                : $"audit key rotated: {rotation.FromKeyId} -> {rotation.ToKeyId}");
            Console.WriteLine($"new public key: {Path.Combine(directory, "audit-signing.pub.pem")} (keep a copy away from the node; the old one still verifies the whole log)");
            return 0;
        }));
        return rotate;
    }
}
