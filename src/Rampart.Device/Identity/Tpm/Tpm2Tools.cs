using System.Diagnostics;
using System.Globalization;

namespace Rampart.Device.Identity.Tpm;

/// <summary>
/// The TCG's reference command-line tools (tpm2-tools 5.x) for the one thing the OpenSSL tpm2
/// provider cannot do: create a key as a persistent TPM object. Each command gets the TCTI in its
/// own environment; its stderr is the error message.
/// </summary>
internal sealed class Tpm2Tools(TpmKeyStoreOptions options)
{
    /// <summary>A persistent handle as tpm2-tools and the provider name it (<c>0x81000100</c>).</summary>
    public static string Name(uint handle) => "0x" + handle.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>True when the persistent handle holds an object.</summary>
    public async Task<bool> ExistsAsync(string handle, CancellationToken cancellationToken) =>
        (await RunAsync("tpm2_readpublic", ["-c", handle], cancellationToken, mayFail: true)).ExitCode == 0;

    /// <summary>The object's attributes as tpm2_readpublic prints them (<c>fixedtpm|fixedparent|…</c>).</summary>
    public async Task<string> AttributesAsync(string handle, CancellationToken cancellationToken)
    {
        var (_, output) = await RunAsync("tpm2_readpublic", ["-c", handle], cancellationToken);
        var lines = output.Split('\n');
        var index = Array.FindIndex(lines, line => line.StartsWith("attributes:", StringComparison.Ordinal));
        return index >= 0 && index + 1 < lines.Length ? lines[index + 1].Replace("value:", "", StringComparison.Ordinal).Trim() : "";
    }

    /// <summary>
    /// Creates an ECDSA P-256 signing key under a storage primary key of the owner hierarchy and
    /// makes it persistent at <paramref name="handle"/>, replacing what was there. Attributes (TPM 2.0
    /// Part 1 §27.1): fixedTPM and fixedParent (it can never be duplicated out of this TPM),
    /// sensitiveDataOrigin (the TPM generated the private part itself), userWithAuth, sign, and
    /// not restricted (TLS and CSR signatures are over digests the TPM did not compute).
    /// </summary>
    public async Task CreatePersistentSigningKeyAsync(string handle, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("rampart-tpm-");
        try
        {
            string Path(string name) => System.IO.Path.Combine(work.FullName, name);
            await EvictAsync(handle, cancellationToken);

            // Each tool loads the saved contexts it is given as new transient objects, and without a resource manager (a bare
            // swtpm, /dev/tpm0) they stay loaded: a TPM has only a few object slots, so flush between the steps.
            try
            {
                await FlushTransientObjectsAsync(cancellationToken);
                await RunAsync("tpm2_createprimary", ["-Q", "-C", "o", "-g", "sha256", "-G", "ecc256", "-c", Path("primary.ctx")], cancellationToken);
                await FlushTransientObjectsAsync(cancellationToken);
                await RunAsync("tpm2_create", ["-Q", "-C", Path("primary.ctx"), "-G", "ecc256", "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign",
                    "-u", Path("key.pub"), "-r", Path("key.priv")], cancellationToken);
                await FlushTransientObjectsAsync(cancellationToken);
                await RunAsync("tpm2_load", ["-Q", "-C", Path("primary.ctx"), "-u", Path("key.pub"), "-r", Path("key.priv"), "-c", Path("key.ctx")], cancellationToken);
                await RunAsync("tpm2_evictcontrol", ["-Q", "-C", "o", "-c", Path("key.ctx"), handle], cancellationToken);
            }
            finally
            {
                await FlushTransientObjectsAsync(cancellationToken);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    // With the kernel's resource manager this flushes only this connection's objects; on a bare TPM, every transient object (Rampart's key is persistent).
    private Task FlushTransientObjectsAsync(CancellationToken cancellationToken) => RunAsync("tpm2_flushcontext", ["-t"], cancellationToken, mayFail: true);

    /// <summary>
    /// Removes the persistent key at <paramref name="handle"/> if there is one (decommissioned, re-keyed, or the
    /// old key after a renewal). TPM 2.0 Part 3 §28.5 TPM2_EvictControl: given a persistent handle it deletes the
    /// object from NV; it is the only command that does, so an absent object is checked first rather than an
    /// error parsed.
    /// </summary>
    public async Task EvictAsync(string handle, CancellationToken cancellationToken)
    {
        if (await ExistsAsync(handle, cancellationToken))
        {
            await RunAsync("tpm2_evictcontrol", ["-Q", "-C", "o", "-c", handle], cancellationToken);
        }
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken, bool mayFail = false)
    {
        var start = new ProcessStartInfo(options.ToolsDirectory.Length == 0 ? tool : System.IO.Path.Combine(options.ToolsDirectory, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (options.Tcti is { } tcti)
        {
            start.Environment["TPM2TOOLS_TCTI"] = tcti;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new TpmKeyStoreException($"{tool} did not start");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new TpmKeyStoreException($"{tool} cannot be run ({exception.Message}); install tpm2-tools", exception);
        }

        using (process)
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(options.CommandTimeout);
            var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var error = process.StandardError.ReadToEndAsync(deadline.Token);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill();
                throw new TpmKeyStoreException($"{tool} did not finish within {options.CommandTimeout.TotalSeconds:0} s; is the TPM reachable?");
            }

            var stdout = await output;
            var stderr = await error;
            if (process.ExitCode != 0 && !mayFail)
            {
                var errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(line => line.StartsWith("ERROR", StringComparison.Ordinal)).ToArray();
                var reason = errors.Length > 0 ? string.Join("; ", errors) : stderr.Trim();
                throw new TpmKeyStoreException($"{tool} {string.Join(' ', arguments.Where(argument => !argument.Contains('/', StringComparison.Ordinal)))} failed ({process.ExitCode}): {(reason.Length > 300 ? reason[..300] : reason)}");
            }

            return (process.ExitCode, stdout);
        }
    }
}
