using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Disconnection;
using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Events;
using ConnectedAccounts.Functions.Health;
using ConnectedAccounts.Functions.Hosting;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Invitations;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Functions.Resources;
using ConnectedAccounts.Functions.WebConsole;

namespace ConnectedAccounts.Functions;

/// <summary>
/// The app as a list: its services, and its HTTP pipeline and routes. Standalone runs them as a plain ASP.NET Core
/// app; under the Functions host the isolated worker registers the same services and each HTTP function runs the same
/// pipeline (<see cref="HttpFunctionPipeline"/>).
/// </summary>
public static class Application
{
    public static IHostApplicationBuilder AddConnectedAccounts(this IHostApplicationBuilder builder)
    {
        builder.AddFunctionsHost();
        builder.AddStorage();
        builder.Services.AddOutbox();
        builder.AddIdentity();
        builder.AddHttpApi();
        builder.Services.AddAccounts();
        builder.Services.AddAccountConnections();
        builder.Services.AddResources();
        builder.Services.AddDisconnection();
        builder.Services.AddEmail();
        builder.Services.AddInvitations();
        builder.Services.AddActivity();
        builder.Services.AddIntegrationEvents();
        builder.Services.AddWebConsole();
        builder.Services.WithoutKeyRingWarmUp();
        return builder;
    }

    public static IApplicationBuilder UseApi(this IApplicationBuilder app)
    {
        app.UseHttpApi();
        app.UseWebConsole();
        app.UseRouting();
        app.UseReadSnapshots();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<IdempotencyMiddleware>();
        app.UseEndpoints(MapRoutes);
        return app;
    }

    private static void MapRoutes(IEndpointRouteBuilder routes)
    {
        routes.MapHealth();
        routes.MapOpenApi().AllowAnonymous();
        routes.MapDevTokens();
        routes.MapInvitationPreview();
        routes.MapGroup("/api").RequireApiUser()
            .MapAccountsApi()
            .MapMembersApi()
            .MapConnectionsApi()
            .MapClientsApi()
            .MapDisconnectionApi()
            .MapReportsApi()
            .MapItemsApi()
            .MapIntegrationsApi()
            .MapInvitationsApi()
            .MapActivityApi()
            .MapAccessReviewApi();
    }
}
