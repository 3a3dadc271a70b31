using Microsoft.Extensions.Logging;

namespace Rampart.Server.Hosting;

/// <summary>Structured console logs: one line per event as text, or one JSON object per line.</summary>
internal static class NodeLogging
{
    public static void Configure(ILoggingBuilder logging, bool json)
    {
        logging.ClearProviders();
        if (json)
        {
            logging.AddJsonConsole(options =>
            {
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }

        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("System", LogLevel.Warning);

        // "No XML encryptor configured": the keys folder is owner-only and checked at start;
        // an XML encryptor would need yet another key to keep.
        logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        // Every admin-channel decision is audited; the framework's per-challenge line is noise.
        logging.AddFilter("Rampart.Server.Admin.LocalAdminAuthenticationHandler", LogLevel.Warning);
    }
}
