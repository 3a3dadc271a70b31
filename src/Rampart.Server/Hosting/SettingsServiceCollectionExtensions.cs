using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Rampart.Detection.Export;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Settings;
using Rampart.Server.Updates;

namespace Rampart.Server.Hosting;

/// <summary>
/// Every options class the node binds from configuration, each with its validator and checked at
/// start; <see cref="Check"/> runs the same checks before the node touches its data directory.
/// (Node, gateway, broker and event settings are checked by <see cref="ValidatedNodeOptions"/> and
/// <c>GatewaySettings</c>.)
/// </summary>
public static class SettingsServiceCollectionExtensions
{
    /// <summary>Binds and validates the audit, setup token, enrollment, operator, approval and rollout settings.</summary>
    public static IServiceCollection AddRampartSettings(this IServiceCollection services)
    {
        Add<AuditOptions, AuditOptionsValidator>(services, AuditOptions.Section);
        Add<SetupTokenOptions, SetupTokenOptionsValidator>(services, SetupTokenOptions.Section);
        Add<EnrollmentOptions, EnrollmentOptionsValidator>(services, EnrollmentOptionsValidator.Section);
        Add<OperatorOptions, OperatorOptionsValidator>(services, OperatorOptions.Section);
        Add<ApprovalOptions, ApprovalOptionsValidator>(services, ApprovalOptions.Section);
        Add<RolloutOptions, RolloutOptionsValidator>(services, RolloutOptions.Section);
        Add<ExportOptions, ExportOptionsValidator>(services, ExportOptions.Section);
        Add<Metrics.MetricsOptions, Metrics.MetricsOptionsValidator>(services, Metrics.MetricsOptions.Section);
        return services;
    }

    /// <summary>
    /// Binds and validates every setting of <see cref="AddRampartSettings"/> against
    /// <paramref name="configuration"/>, throwing <see cref="NodeStartupException"/> with every
    /// problem (each naming its setting) — a value that does not parse included.
    /// </summary>
    public static void Check(IConfiguration configuration)
    {
        using var services = new ServiceCollection().AddSingleton(configuration).AddRampartSettings().BuildServiceProvider();
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException exception)
        {
            throw Invalid(exception.Failures, exception);
        }
        catch (AggregateException exception) when (exception.InnerExceptions.All(inner => inner is OptionsValidationException))
        {
            throw Invalid(exception.InnerExceptions.Cast<OptionsValidationException>().SelectMany(inner => inner.Failures), exception);
        }
        catch (InvalidOperationException exception)
        {
            // The binder's message names the setting and the type it wanted ("… at 'Rampart:Audit:MaxBatchSize' to type 'System.Int32'").
            throw new NodeStartupException("invalid settings:" + Environment.NewLine + "  " + exception.Message, exception);
        }
    }

    private static NodeStartupException Invalid(IEnumerable<string> failures, Exception exception) =>
        new("invalid settings:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", failures), exception);

    private static void Add<TOptions, TValidator>(IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }
}
