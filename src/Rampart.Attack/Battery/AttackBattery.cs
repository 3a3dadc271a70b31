using Rampart.Attack.Attacks;

namespace Rampart.Attack.Battery;

/// <summary>
/// Every attack, in the order they run: transport first, then identity and authorization, floods,
/// malformed input, enrollment, updates, and the operator attacks last (a brute force slows logins
/// from this source for a while, so nothing that logs in may come after it).
/// </summary>
public static class AttackBattery
{
    public static IReadOnlyList<IAttack> All { get; } =
    [
        new NoClientCertificate(),
        new ForeignClientCertificate(),
        new TlsDowngrade(),
        new PlaintextProtocols(),
        new DefaultCredentials(),
        new AnotherDevicesTopics(),
        new WildcardSubscriptions(),
        new ClientIdSpoofing(),
        new ClonedIdentity(),
        new MessageFlood(),
        new ReconnectFlood(),
        new OversizedPacket(),
        new MalformedPackets(),
        new SlowHandshake(),
        new EstTokenReuse(),
        new CsrFieldInjection(),
        new TufRollback(),
        new TufFreeze(),
        new FirmwareSignatureStripping(),
        new ApiPrivilegeEscalation(),
        new OperatorBruteForce(),
    ];

    /// <summary>The attacks named in <paramref name="only"/> (all when empty); an unknown name is an error that lists the known ones.</summary>
    public static IReadOnlyList<IAttack> Select(IReadOnlyCollection<string> only)
    {
        if (only.Count == 0)
        {
            return All;
        }

        var unknown = only.Where(name => All.All(attack => attack.Name != name)).ToArray();
        return unknown.Length == 0
            ? All.Where(attack => only.Contains(attack.Name)).ToArray()
            : throw new AttackRefusedException($"unknown attack {string.Join(", ", unknown)}; known: {string.Join(", ", All.Select(a => a.Name))}");
    }

    /// <summary>
    /// Before any attack: the node answers <c>/healthz</c> and a genuine device of this run enrolls and
    /// gets a session. Without that, a refusal would prove nothing (a node that is down refuses
    /// everything), so the battery does not run.
    /// </summary>
    public static async Task BaselineAsync(AttackContext context, CancellationToken cancellationToken)
    {
        if (!await context.HealthyAsync(cancellationToken))
        {
            throw new AttackRefusedException($"{context.Target.Https} does not answer /healthz: is the node running there?");
        }

        try
        {
            var (client, _) = await context.SessionAsync("baseline", cancellationToken);
            await client.DisposeAsync();
        }
        catch (Exception exception) when (exception is AttackSkippedException or IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException or HttpRequestException or Device.Enrollment.EstException or TimeoutException)
        {
            throw new AttackRefusedException($"a genuine device cannot enroll and connect to mqtts://{context.Target.Mqtt} ({exception.Message}): check --mqtt and --server");
        }
    }

    /// <summary>Runs <paramref name="attacks"/> one after another; an attack that throws is reported as not held with the error.</summary>
    public static async Task<IReadOnlyList<AttackResult>> RunAsync(
        AttackContext context, IReadOnlyList<IAttack> attacks, Action<AttackResult>? onResult, CancellationToken cancellationToken)
    {
        var results = new List<AttackResult>();
        foreach (var attack in attacks)
        {
            var started = context.Time.GetTimestamp();
            AttackOutcome outcome;
            try
            {
                outcome = await attack.RunAsync(context, cancellationToken);
            }
            catch (AttackSkippedException skipped)
            {
                outcome = AttackOutcome.Skipped(skipped.Message);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // An attack that cannot finish proves nothing held: say what stopped it.
                outcome = AttackOutcome.NotHeld($"the attack failed: {exception.GetType().Name}: {exception.Message}");
            }

            var result = new AttackResult(attack.Name, attack.Description, attack.Mapping, outcome.Verdict, outcome.Evidence, context.Time.GetElapsedTime(started));
            results.Add(result);
            onResult?.Invoke(result);
        }

        return results;
    }
}

/// <summary>One attack's line in the report.</summary>
public sealed record AttackResult(string Name, string Description, AttackMapping Mapping, AttackVerdict Verdict, string Evidence, TimeSpan Duration);
