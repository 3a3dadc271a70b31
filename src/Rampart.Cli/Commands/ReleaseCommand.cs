using System.CommandLine;
using System.Net.Http.Headers;
using Rampart.Server.Admin;
using Rampart.Server.Api;
using Rampart.Server.Updates;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart release add|list|show|promote</c>: signed firmware releases.</summary>
internal static class ReleaseCommand
{
    public static Command Create() => new("release", "Firmware releases: signed (ECDSA + LMS), published through TUF, promoted by a second person.")
    {
        Add(), List(), Show(), Promote(),
    };

    private static Command Add()
    {
        var target = new AdminTarget();
        var image = new Argument<FileInfo>("IMAGE") { Description = "The firmware image file" };
        var model = new Option<string>("--model") { Description = "Device model the image is for", Required = true };
        var version = new Option<string>("--version") { Description = "Semantic version, e.g. 2.1.0", Required = true };
        var svn = new Option<long>("--svn") { Description = "Security version number: devices never install below the one they run", Required = true };
        var hardware = new Option<string[]>("--hardware") { Description = "A hardware revision the image supports (repeatable; none = any)" };
        var sbom = new Option<FileInfo?>("--sbom") { Description = "The image's SBOM (CycloneDX or SPDX JSON)" };
        var command = target.AddTo(new Command("add", "Sign an image's manifest and publish image, manifest and SBOM as TUF targets (staged).") { image, model, version, svn, hardware, sbom });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var imageSha = await UploadAsync(target, parse, parse.GetValue(image)!, cancellationToken);
            var sbomSha = parse.GetValue(sbom) is { } sbomFile ? await UploadAsync(target, parse, sbomFile, cancellationToken) : null;
            var release = await target.SendAsync<ReleaseResponse>(parse, HttpMethod.Post, "api/v1/releases", cancellationToken,
                new NewRelease(parse.GetValue(model), parse.GetValue(version), parse.GetValue(svn), parse.GetValue(hardware), imageSha, sbomSha));
            Console.WriteLine($"release {release.Id} staged: svn {release.Svn}, image {release.ImageLength} bytes sha256 {release.ImageSha256}");
            Console.WriteLine($"TUF targets: {release.ImageTarget}, {release.ManifestTarget}{(release.SbomSha256 is null ? string.Empty : $", {release.Id}.sbom.json")}" +
                (release.Published ? " (published)" : " (waiting for the offline targets key: rampart keys targets prepare, sign, import)"));
            Console.WriteLine($"to production: 'rampart release promote {release.Id}', then a second person holding releases:approve approves it");
            return 0;
        }));
        return command;
    }

    private static async Task<string> UploadAsync(AdminTarget target, ParseResult parse, FileInfo file, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new AdminCommandException($"{file.FullName} does not exist");
        }

        if (file.Length > ReleaseUploads.MaxBytes)
        {
            throw new AdminCommandException($"{file.FullName} is {file.Length} bytes; at most {ReleaseUploads.MaxBytes} are accepted");
        }

        await using var stream = file.OpenRead();
        using var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return (await target.SendAsync<UploadResponse>(parse, HttpMethod.Post, "api/v1/releases/uploads", cancellationToken, content)).Sha256;
    }

    private static Command List()
    {
        var target = new AdminTarget();
        var command = target.AddTo(new Command("list", "Releases, newest first."));
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            foreach (var r in await target.SendAsync<ReleaseResponse[]>(parse, HttpMethod.Get, "api/v1/releases", cancellationToken))
            {
                Console.WriteLine($"{r.Id,-32} {r.Status,-10} svn {r.Svn,-4} {r.ImageLength,10} B  {(r.Published ? "published" : "unsigned ")}  by {r.CreatedBy}{(r.PromotedBy is null ? string.Empty : $", promoted by {r.PromotedBy}")}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var target = new AdminTarget();
        var id = new Argument<string>("ID");
        var command = target.AddTo(new Command("show", "One release.") { id });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var r = await target.SendAsync<ReleaseResponse>(parse, HttpMethod.Get, $"api/v1/releases/{Uri.EscapeDataString(parse.GetValue(id)!)}", cancellationToken);
            Console.WriteLine($"release:  {r.Id} ({r.Status})");
            Console.WriteLine($"model:    {r.Model}   version {r.Version}   svn {r.Svn}   hardware {(r.Hardware.Count == 0 ? "any" : string.Join(", ", r.Hardware))}");
            Console.WriteLine($"image:    {r.ImageTarget}  {r.ImageLength} bytes  sha256 {r.ImageSha256}");
            Console.WriteLine($"manifest: {r.ManifestTarget} (ECDSA P-256 + LMS)");
            Console.WriteLine($"sbom:     {r.SbomSha256 ?? "-"}");
            Console.WriteLine($"added:    {r.Created:u} by {r.CreatedBy}{(r.Promoted is null ? string.Empty : $"; promoted {r.Promoted:u} by {r.PromotedBy}")}");
            return 0;
        }));
        return command;
    }

    private static Command Promote()
    {
        var target = new AdminTarget();
        var id = new Argument<string>("ID");
        var command = target.AddTo(new Command("promote", "Ask for a release to go to production; a second person with releases:approve must approve.") { id });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var approval = await target.SendAsync<ApprovalResponse>(parse, HttpMethod.Post, $"api/v1/releases/{Uri.EscapeDataString(parse.GetValue(id)!)}/promote", cancellationToken);
            Console.WriteLine($"approval {approval.Id} requested: {approval.Summary}");
            Console.WriteLine($"a second person runs 'rampart approvals approve {approval.Id}' before {approval.Expires:u}");
            return 0;
        }));
        return command;
    }
}
