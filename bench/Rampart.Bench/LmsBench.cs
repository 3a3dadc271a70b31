using System.Diagnostics;
using System.Globalization;
using Rampart.Updates.Lms;

namespace Rampart.Bench;

/// <summary><c>lms [--height 10] [--w 8] [--signatures 200]</c>: key generation, signing (state made durable each time) and verification rates.</summary>
internal static class LmsBench
{
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var type = LmsType.FromCode((uint)(arguments.Int("height", 10) / 5) + 4) ?? throw new ArgumentException("--height is 5, 10, 15, 20 or 25");
        var ots = arguments.Int("w", 8) switch { 1 => LmOtsType.Sha256N32W1, 2 => LmOtsType.Sha256N32W2, 4 => LmOtsType.Sha256N32W4, _ => LmOtsType.Sha256N32W8 };
        var count = (int)Math.Min(arguments.Int("signatures", 200), type.Leaves);
        var directory = Path.Combine(Path.GetTempPath(), "rampart-bench-lms-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            var clock = Stopwatch.StartNew();
            using var signer = await LmsSigner.CreateAsync(type, ots, new FileLmsStateStore(Path.Combine(directory, "state")), CancellationToken.None);
            var keygen = clock.Elapsed;
            var message = new byte[256];
            var signatures = new List<byte[]>(count);
            clock.Restart();
            for (var i = 0; i < count; i++)
            {
                signatures.Add(await signer.SignAsync(message, CancellationToken.None));
            }

            var signing = clock.Elapsed;
            clock.Restart();
            var verified = signatures.Count(signature => LmsVerifier.VerifyHss(signer.PublicKey, message, signature));
            var verifying = clock.Elapsed;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"lms LMS_SHA256_M32_H{type.Height}/LMOTS_SHA256_N32_W{ots.W}: key generation {keygen.TotalSeconds:F2} s ({type.Leaves} one-time keys, 2 cores); " +
                $"sign {count / signing.TotalSeconds:F0}/s (each with its state fsynced first); verify {verified / verifying.TotalSeconds:F0}/s; signature {signatures[0].Length} B"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
