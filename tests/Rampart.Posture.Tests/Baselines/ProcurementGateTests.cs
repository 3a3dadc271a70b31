using Rampart.Posture.Baselines;
using Rampart.Posture.Models;
using Rampart.Posture.Procurement;
using Rampart.Testing;

namespace Rampart.Posture.Tests.Baselines;

public sealed class ProcurementGateTests
{
    [Fact]
    public void A_model_declaring_a_universal_default_password_is_refused_with_the_provisions_it_fails()
    {
        var model = DeviceModelDocument.Parse(File.ReadAllBytes(TestFiles.PathOf("posture/default-password.json")));
        var admission = ProcurementGate.Evaluate(model, Subjects.Now);

        Assert.False(admission.Admitted);
        Assert.Contains(admission.Failed, f => f.Standard == "etsi-en-303-645" && f.Id == "5.1-1" && f.Evidence.Contains("default password", StringComparison.Ordinal));
        Assert.Contains(admission.Failed, f => f.Standard == "owasp-iot-top10" && f.Id == "I1");
        Assert.Contains("etsi-en-303-645 5.1-1", admission.FailedSummary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_that_declares_every_provision_is_admitted_and_lists_what_only_devices_can_show()
    {
        var model = DeviceModelDocument.Parse(File.ReadAllBytes(TestFiles.PathOf("posture/good-camera.yaml")));
        var admission = ProcurementGate.Evaluate(model, Subjects.Now);

        Assert.True(admission.Admitted, admission.FailedSummary);
        Assert.Empty(admission.Failed);
        Assert.Contains(admission.NotAssessable, r => r.Id == "5.1-3"); // key quality needs a device's certificate
        Assert.All(admission.NotAssessable, r => Assert.Equal(Verdict.NotAssessable, r.Verdict));
    }

    [Fact]
    public void A_model_whose_support_period_is_over_is_refused()
    {
        var model = DeviceModelDocument.Parse(File.ReadAllBytes(TestFiles.PathOf("posture/good-camera.yaml")));
        var admission = ProcurementGate.Evaluate(model, new DateTimeOffset(2032, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.False(admission.Admitted);
        Assert.Contains(admission.Failed, f => f.Id == "5.3-13");
    }
}
