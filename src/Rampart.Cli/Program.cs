using System.CommandLine;
using Rampart.Cli.Commands;

// Errors quote input (ours and a node's answers): nothing in them may reach the terminal as a control sequence.
Console.SetError(new InertErrorWriter(Console.Error));

var root = new RootCommand("Rampart: a self-hosted, zero-trust security hub for IoT fleets.")
{
    ServeCommand.Create(),
    AuditCommand.Create(),
    SetupTokenCommand.Create(),
    DeviceCommand.Create(),
    CertCommand.Create(),
    VendorCommand.Create(),
    ServiceCommand.Create(),
    CaCommand.Create(),
    LoginCommand.Login(),
    LoginCommand.Logout(),
    UserCommand.Create(),
    TokenCommand.Create(),
    ApprovalsCommand.Create(),
    AlertsCommand.Create(),
    EventsCommand.Create(),
    ExportCommand.Create(),
    ReleaseCommand.Create(),
    RolloutCommand.Create(),
    KeysCommand.Create(),
    CryptoCommand.Create(),
    SimCommand.Create(),
    DemoCommand.Create(),
    AttackCommand.Create(),
    PrivacyCommand.Create(),
    AdapterCommand.Create(),
    ModelCommand.Create(),
    BaselineCommand.Create(),
    AuditFleetCommand.Create(),
    ZonesCommand.Create(),
    SbomCommand.Create(),
    VulnsCommand.Create(),
    ExposureCommand.Create(),
    ReportCommand.Create(),
    NetworkCommand.Create(),
};

// The node handles SIGTERM and Ctrl-C itself (graceful shutdown within its timeout), so the
// parser must not cut it short.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
