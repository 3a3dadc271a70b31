using System.Text;
using Rampart.Posture.Models;
using Rampart.Testing;

namespace Rampart.Posture.Tests.Models;

public sealed class DeviceModelDocumentTests
{
    private static DeviceModelException Invalid(string text) => Assert.Throws<DeviceModelException>(() => DeviceModelDocument.Parse(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void A_yaml_model_file_reads_with_every_declared_capability()
    {
        var model = DeviceModelDocument.Parse(File.ReadAllBytes(TestFiles.PathOf("posture/good-camera.yaml")));

        Assert.Equal(("Acme", "Cam-2", "Acme/Cam-2"), (model.Vendor, model.Model, model.Key));
        Assert.Equal(["r1", "r2"], model.HardwareRevisions);
        var capabilities = model.Capabilities;
        Assert.Equal((CredentialKind.PerDeviceCertificate, UpdateMechanism.SignedWithRollbackProtection, new DateOnly(2031, 12, 31)),
            (capabilities.Credentials, capabilities.Update.Mechanism, capabilities.Update.SupportUntil!.Value));
        Assert.Equal((true, true, true), (capabilities.SecureBoot!.Value, capabilities.DebugInterfacesDisabled!.Value, capabilities.TamperProtection!.Value));
        Assert.Equal([443], capabilities.ListeningPorts);
        Assert.Contains(capabilities.DataCollected!, d => d.Name == "video" && d.Personal);
    }

    [Fact]
    public void A_json_model_file_reads_and_round_trips_through_its_stored_form()
    {
        var model = DeviceModelDocument.Parse(File.ReadAllBytes(TestFiles.PathOf("posture/default-password.json")));
        var again = DeviceModelDocument.FromJson(DeviceModelDocument.ToJson(model));

        Assert.Equal(CredentialKind.UniversalDefaultPassword, again.Capabilities.Credentials);
        Assert.Equal(["telnet", "http"], again.Capabilities.Protocols);
        Assert.Contains("\"universal-default-password\"", DeviceModelDocument.ToJson(model), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_of_an_invalid_file_is_reported_with_its_path_and_reason()
    {
        var error = Invalid("""
            vendor: Acme
            model: ""
            colour: red
            capabilities:
              credentials: admin-admin
              update: { mechanism: signed }
              secureBoot: "yes"
            """);

        Assert.Contains(error.Problems, p => p.StartsWith("/model:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("/capabilities/credentials:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("/capabilities/secureBoot:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("colour", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("vendor: [unclosed", "line")]
    [InlineData("{\"vendor\": ", "not valid JSON")]
    [InlineData("base: &a {vendor: x}\nother: *a", "anchors")]
    [InlineData("vendor: A\nvendor: B\nmodel: M\ncapabilities: {credentials: none, update: {mechanism: none}}", "duplicate key vendor")]
    [InlineData("vendor: A\nmodel: M\ncapabilities: {credentials: none, update: {mechanism: none, supportUntil: 2026-02-30}}", "calendar date")]
    public void Malformed_input_is_refused_with_a_reason(string text, string reason)
    {
        var error = Invalid(text);

        Assert.Contains(error.Problems, p => p.Contains(reason, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void A_file_past_the_size_limit_or_not_utf8_is_refused_before_parsing()
    {
        Assert.Contains("larger than", Assert.Throws<DeviceModelException>(() => DeviceModelDocument.Parse(new byte[DeviceModelDocument.MaxBytes + 1])).Message, StringComparison.Ordinal);
        Assert.Contains("UTF-8", Assert.Throws<DeviceModelException>(() => DeviceModelDocument.Parse([0xff, 0xfe, 0xfd])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_published_schema_in_the_repository_is_the_one_validation_uses()
    {
        var published = File.ReadAllText(Path.Combine(TestFiles.RepositoryRoot, "src", "Rampart.Posture", "Models", "device-model.schema.json"));

        Assert.Equal(published, DeviceModelDocument.SchemaText);
        Assert.Contains("2020-12", published, StringComparison.Ordinal);
    }
}
