namespace Rampart.Server.DataDirectory;

/// <summary>
/// The node's data directory and what lives in it. Owner-only (0700); key files owner-only (0600);
/// one node at a time, enforced by an exclusive lock on <c>rampart.lock</c>.
/// </summary>
public sealed class NodeDataDirectory : IDisposable
{
    /// <summary>Longest Unix socket path Linux accepts (sun_path is 108 bytes with its NUL).</summary>
    public const int MaxSocketPathBytes = 107;

    private FileStream? _lock;

    private NodeDataDirectory(string root)
    {
        Root = root;
    }

    /// <summary>The absolute path of the directory.</summary>
    public string Root { get; }

    /// <summary>The embedded database.</summary>
    public string DatabasePath => Path.Combine(Root, "rampart.db");

    /// <summary>Owner-only folder of private keys.</summary>
    public string KeysDirectory => Path.Combine(Root, "keys");

    /// <summary>The audit signing key (ECDSA P-256, PKCS#8 PEM).</summary>
    public string AuditKeyPath => Path.Combine(KeysDirectory, "audit-signing.key.pem");

    /// <summary>The audit public key, for verifiers that keep a copy elsewhere.</summary>
    public string AuditPublicKeyPath => Path.Combine(Root, "audit-signing.pub.pem");

    /// <summary>The node's TLS private key.</summary>
    public string TlsKeyPath => Path.Combine(KeysDirectory, "tls-server.key.pem");

    /// <summary>The node's TLS certificate (public).</summary>
    public string TlsCertificatePath => Path.Combine(Root, "tls-server.crt.pem");

    /// <summary>Rampart's root CA certificate: the trust anchor devices and clients pin.</summary>
    public string RootCertificatePath => Path.Combine(Root, "ca-root.crt.pem");

    /// <summary>The issuing CA certificate.</summary>
    public string IssuingCertificatePath => Path.Combine(Root, "ca-issuing.crt.pem");

    /// <summary>The root CA key; may be absent (kept offline).</summary>
    public string RootKeyPath => Path.Combine(KeysDirectory, "ca-root.key.pem");

    /// <summary>The issuing CA key.</summary>
    public string IssuingKeyPath => Path.Combine(KeysDirectory, "ca-issuing.key.pem");

    /// <summary>The local admin channel (HTTP over a Unix socket, owner-only).</summary>
    public string AdminSocketPath => Path.Combine(Root, "admin.sock");

    private string LockPath => Path.Combine(Root, "rampart.lock");

    /// <summary>
    /// Creates the directory if needed (0700), checks it and its key files, and takes the node
    /// lock. Throws <see cref="Hosting.NodeStartupException"/> with the reason when it cannot.
    /// </summary>
    public static NodeDataDirectory OpenExclusive(string root)
    {
        var directory = Open(root);
        directory.Lock();
        return directory;
    }

    /// <summary>Opens for reading only: no lock, no creation (what <c>audit verify</c> needs).</summary>
    public static NodeDataDirectory OpenExisting(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new Hosting.NodeStartupException($"data directory {root} does not exist");
        }

        return new NodeDataDirectory(Path.GetFullPath(root));
    }

    /// <summary>True when a node holds this directory's lock right now.</summary>
    public static bool IsInUse(string root)
    {
        try
        {
            using var probe = Open(root);
            probe.Lock();
            return false;
        }
        catch (Hosting.NodeStartupException)
        {
            return true;
        }
    }

    private static NodeDataDirectory Open(string root)
    {
        var directory = new NodeDataDirectory(Path.GetFullPath(root));
        directory.Prepare();
        return directory;
    }

    private void Prepare()
    {
        try
        {
            CreateOwnerOnlyDirectory(Root);
            CreateOwnerOnlyDirectory(KeysDirectory);
            ProbeWritable();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new Hosting.NodeStartupException($"data directory {Root} cannot be used: {exception.Message}", exception);
        }

        if (System.Text.Encoding.UTF8.GetByteCount(AdminSocketPath) > MaxSocketPathBytes)
        {
            throw new Hosting.NodeStartupException(
                $"data directory path is too long for the admin socket ({AdminSocketPath} is over {MaxSocketPathBytes} bytes); choose a shorter --data path");
        }

        // Refuse rather than repair: a key others could read must be treated as disclosed.
        foreach (var key in Directory.EnumerateFiles(KeysDirectory, "*", SearchOption.AllDirectories))
        {
            if (OwnerOnlyFile.ProblemWith(key) is { } problem)
            {
                throw new Hosting.NodeStartupException(problem);
            }
        }
    }

    private static void CreateOwnerOnlyDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, ownerOnly);
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new Hosting.NodeStartupException(
                $"data directory {path} is writable by group or others (mode {OwnerOnlyFile.ToOctal(mode)}); others could replace its files: chmod 700 '{path}'");
        }

        if ((mode & OwnerOnlyFile.GroupOrOther) != 0)
        {
            File.SetUnixFileMode(path, ownerOnly);
        }
    }

    private void ProbeWritable()
    {
        var probe = Path.Combine(Root, $".write-probe-{Environment.ProcessId}");
        File.WriteAllBytes(probe, []);
        File.Delete(probe);
    }

    private void Lock()
    {
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix, released by the
            // kernel when the process dies, so a killed node never leaves a stale lock.
            _lock = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception)
        {
            throw new Hosting.NodeStartupException(
                $"another Rampart node is already running on data directory {Root} (it holds {LockPath}); stop it first or choose another --data", exception);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
