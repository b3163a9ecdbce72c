using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ConnectedAccounts.Functions.Hosting;
using ConnectedAccounts.Functions.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.WebConsole;

/// <summary>
/// Section <c>Console</c>: what the web console (<c>web/</c>) reads from <c>/config.json</c>. Standalone the service
/// serves the console itself; under Azure Functions it is deployed to Azure Static Web Apps with the same file.
/// </summary>
public sealed class WebConsoleOptions
{
    public const string Section = "Console";

    /// <summary>Where the console finds the API (an absolute URL without <c>/api</c>); empty: its own origin.</summary>
    [Url]
    public string? ApiBaseUrl { get; set; }

    /// <summary>Sign-in with Microsoft Entra ID through MSAL; unset: dev tokens, when the service issues them.</summary>
    [ValidateObjectMembers]
    public EntraSettings? Entra { get; set; }

    public sealed class EntraSettings
    {
        /// <summary>The console's app registration (a single-page application).</summary>
        [Required]
        public string ClientId { get; set; } = "";

        /// <summary>For example <c>https://login.microsoftonline.com/{tenant}</c>.</summary>
        [Required, Url]
        public string Authority { get; set; } = "";

        /// <summary>The API scope the access token is asked for, e.g. <c>api://{api client id}/access_as_user</c>.</summary>
        [Required, MinLength(1)]
        public string[] Scopes { get; set; } = [];
    }
}

[OptionsValidator]
public sealed partial class WebConsoleOptionsValidator : IValidateOptions<WebConsoleOptions>;

/// <summary>The body of <c>/config.json</c>.</summary>
public sealed record WebConsoleConfig(string ApiBaseUrl, bool DevTokens, WebConsoleEntraConfig? Entra);

public sealed record WebConsoleEntraConfig(string ClientId, string Authority, IReadOnlyList<string> Scopes);

public static class WebConsoleSetup
{
    /// <summary>The console's folder in the build output (the project links <c>web/</c> there).</summary>
    public const string Folder = "console";

    /// <summary>The paths e-mails link to (<c>/invitations/{token}</c>, <c>/connections/{id}/extend</c>, …): the console's router reads them.</summary>
    private static readonly string[] LinkPrefixes = ["/invitations/", "/connections/", "/accounts/"];

    private static readonly string[] ServedElsewhere = ["/api", "/openapi", "/healthz", "/livez"];

    public static IServiceCollection AddWebConsole(this IServiceCollection services)
    {
        services.AddOptions<WebConsoleOptions>().BindConfiguration(WebConsoleOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebConsoleOptions>, WebConsoleOptionsValidator>());
        return services;
    }

    /// <summary>
    /// Standalone only: <c>/</c> and the e-mail link paths answer the console's page, <c>/config.json</c> its settings,
    /// other paths its files. Middleware rather than endpoints: the route table stays the API's, as under the Functions
    /// host, where the console is a Static Web App of its own. The published function app carries no console folder,
    /// so run standalone from it the program serves the API alone.
    /// </summary>
    public static IApplicationBuilder UseWebConsole(this IApplicationBuilder app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, Folder);
        if (app.ApplicationServices.GetRequiredService<FunctionsHostMode>().Kind != FunctionsHostModeKind.Standalone || !Directory.Exists(root))
        {
            return app;
        }

        var options = app.ApplicationServices.GetRequiredService<IOptions<WebConsoleOptions>>().Value;
        var auth = app.ApplicationServices.GetRequiredService<IOptions<AuthOptions>>().Value;
        var config = Config(options, auth.DevTokensServed(app.ApplicationServices.GetRequiredService<IHostEnvironment>()));
        var body = JsonSerializer.SerializeToUtf8Bytes(config, AppJsonContext.Default.WebConsoleConfig);
        var policy = ContentSecurityPolicy(config);

        var files = new PhysicalFileProvider(root);
        app.UseWhen(IsForTheConsole, console =>
        {
            console.Use(async (context, next) =>
            {
                var path = context.Request.Path.Value ?? "";
                if (path == "/config.json")
                {
                    context.Response.ContentType = "application/json";
                    context.Response.Headers.CacheControl = "no-cache";
                    await context.Response.Body.WriteAsync(body, context.RequestAborted);
                    return;
                }

                if (path == "/" || LinkPrefixes.Any(p => path.StartsWith(p, StringComparison.Ordinal)))
                {
                    context.Request.Path = "/index.html";
                }

                await next(context);
            });
            console.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                OnPrepareResponse = file =>
                {
                    var headers = file.Context.Response.Headers;
                    // Files are not fingerprinted: revalidate each time (the ETag makes that a 304).
                    headers.CacheControl = "no-cache";
                    headers.ContentSecurityPolicy = policy;
                    headers.XContentTypeOptions = "nosniff";
                    // The invitation page's path carries the token: never send it on as a referrer.
                    headers["Referrer-Policy"] = "no-referrer";
                },
            });
        });
        return app;
    }

    /// <summary>A GET or HEAD outside the API and the probes: those never pay for a look into the console's folder.</summary>
    private static bool IsForTheConsole(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && !ServedElsewhere.Any(prefix => context.Request.Path.StartsWithSegments(prefix, StringComparison.Ordinal));

    public static WebConsoleConfig Config(WebConsoleOptions options, bool devTokens) => new(
        options.ApiBaseUrl?.TrimEnd('/') ?? "",
        devTokens,
        options.Entra is { } entra ? new WebConsoleEntraConfig(entra.ClientId, entra.Authority.TrimEnd('/'), entra.Scopes) : null);

    /// <summary>Scripts and styles from the console's origin only; calls to the API and, with Entra, to its authority.</summary>
    private static string ContentSecurityPolicy(WebConsoleConfig config)
    {
        var connect = string.Join(' ', new[] { "'self'", Origin(config.ApiBaseUrl), Origin(config.Entra?.Authority) }.Where(s => s.Length > 0));
        var frames = config.Entra is null ? "'none'" : Origin(config.Entra.Authority);
        return $"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src {connect}; " +
               $"frame-src {frames}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    }

    private static string Origin(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "";
}
