using System.Reflection;
using System.Runtime.CompilerServices;

namespace Rampart.Server.Tests.Api;

/// <summary>Records that carry a secret must not print it: a generated ToString ends up in logs and exception messages.</summary>
public sealed class SecretRedactionTests
{
    private static readonly HashSet<string> SecretNames = new(StringComparer.Ordinal) { "Token", "Password", "Totp", "TotpSecret", "TotpUri", "Secret", "Invitation", "ConnectionString" };

    public static TheoryData<string> RecordsWithSecrets()
    {
        var data = new TheoryData<string>();
        foreach (var type in Scanned().Where(type => SecretProperties(type).Any()))
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Fact]
    public void The_api_login_activation_token_and_credential_records_are_among_those_checked()
    {
        var names = Scanned().Where(type => SecretProperties(type).Any()).Select(type => type.FullName!).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("Rampart.Server.Api.LoginRequest", names);
        Assert.Contains("Rampart.Server.Api.ActivateResponse", names);
        Assert.Contains("Rampart.Server.Api.TokenCreatedResponse", names);
        Assert.Contains("Rampart.Server.Setup.SetupTokenResponse", names);
        Assert.Contains("Rampart.Cli.Commands.Credentials", names);
        Assert.Contains("Rampart.Fleet.Enrollment.EstCredentials", names);
        Assert.Contains("Rampart.Server.Hosting.StorageSettings", names);
    }

    [Theory]
    [MemberData(nameof(RecordsWithSecrets))]
    public void A_record_that_carries_a_secret_does_not_print_it(string typeName)
    {
        var type = Scanned().Single(t => t.FullName == typeName);
        var instance = RuntimeHelpers.GetUninitializedObject(type);
        foreach (var property in StringProperties(type))
        {
            property.SetValue(instance, $"marker-{property.Name}-7f3a");
        }

        var printed = instance.ToString()!;

        Assert.All(SecretProperties(type).Concat(CodeOf(type)), secret => Assert.DoesNotContain($"marker-{secret.Name}-7f3a", printed, StringComparison.Ordinal));
    }

    private static IEnumerable<Type> Scanned() =>
        new[] { typeof(Server.Api.LoginRequest).Assembly, Assembly.Load(new AssemblyName("rampart")), typeof(Fleet.Operators.UserService).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .Where(type => type.GetMethod("<Clone>$") is not null);

    private static IEnumerable<PropertyInfo> StringProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(string) && p.CanWrite);

    private static IEnumerable<PropertyInfo> SecretProperties(Type type) => StringProperties(type).Where(p => SecretNames.Contains(p.Name));

    // A TOTP code in a confirmation is as good as a password for its 30 seconds.
    private static IEnumerable<PropertyInfo> CodeOf(Type type) =>
        type.Name.Contains("Confirm", StringComparison.Ordinal) ? StringProperties(type).Where(p => p.Name == "Code") : [];
}
