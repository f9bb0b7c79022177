using Microsoft.Extensions.Options;

namespace Portal.Web.Chat;

/// <summary>
/// SignalR logs every hub invocation with its arguments (a person's prompt) at Debug, and the connection
/// layer logs payloads at Trace. Prompts and answers must not reach the logs, so these categories stay
/// at Information whatever the configuration asks for. The rules are added after the configured ones,
/// and are more specific than "Microsoft.AspNetCore", so they win.
/// </summary>
internal sealed class HubLogRedaction : IPostConfigureOptions<LoggerFilterOptions>
{
    private static readonly string[] Categories =
    [
        "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher",
        "Microsoft.AspNetCore.SignalR.HubConnectionHandler",
        "Microsoft.AspNetCore.SignalR.HubConnectionContext",
        "Microsoft.AspNetCore.Http.Connections",
    ];

    public void PostConfigure(string? name, LoggerFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var category in Categories)
        {
            options.Rules.Add(new LoggerFilterRule(null, category, LogLevel.Information, null));
        }
    }
}
