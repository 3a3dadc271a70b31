using System.CommandLine;
using Rampart.Server.Posture;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart report posture --format html|pdf --out FILE</c>: the fleet posture report for people (issue 18, item 7).</summary>
internal static class ReportCommand
{
    public static Command Create() => new("report", "Reports for people.") { Posture() };

    private static Command Posture()
    {
        var target = new AdminTarget();
        var format = new Option<string>("--format") { Description = "html (one self-contained file) or pdf", Required = true };
        format.AcceptOnlyFromAmong("html", "pdf");
        var output = new Option<FileInfo>("--out") { Description = "Where to write the report", Required = true, HelpName = "FILE" };
        var days = new Option<int>("--days") { Description = "Days of trend (1 to 366, default 30)", DefaultValueFactory = _ => 30 };
        var posture = target.AddTo(new Command("posture", "Fleet summary, risk distribution, baseline compliance per standard and per model, audit findings and trends, with charts.")
        {
            format, output, days,
        });
        posture.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var report = await target.SendAsync<PostureReportResponse>(parse, HttpMethod.Get,
                $"api/v1/posture/report?format={parse.GetValue(format)}&days={parse.GetValue(days)}", cancellationToken);
            var file = parse.GetValue(output)!;

            // Written beside the target and moved over it: a failure never leaves half a report under its name.
            var partial = file.FullName + ".partial";
            await File.WriteAllBytesAsync(partial, report.Content, cancellationToken);
            File.Move(partial, file.FullName, overwrite: true);
            Console.WriteLine($"posture report ({report.Format}, {report.Content.Length} bytes) written to {file.FullName}");
            return 0;
        }));
        return posture;
    }
}
