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

// Slim: the handler serves plain HTTP (loopback under the Functions host), so no HTTPS, HTTP/3, IIS or host filtering.
var builder = WebApplication.CreateSlimBuilder(FunctionsEnvironment.Options(args));
builder.AddFunctionsHost();
builder.AddStorage();
builder.AddIdentity();
builder.AddHttpApi();
builder.Services.AddOutbox();
builder.Services.AddAccounts();
builder.Services.AddAccountConnections();
builder.Services.AddDisconnection();
builder.Services.AddEmail().AddEmailFunction();
builder.Services.AddInvitations();
builder.Services.AddActivity();
builder.Services.AddIntegrationEvents();
builder.Services.AddWebConsole();
builder.Services.WithoutKeyRingWarmUp();

var app = builder.Build();
app.UseHttpApi();
app.UseWebConsole();
app.UseReadSnapshots();
app.UseAuthentication();
app.UseAuthorization();
app.UseMiddleware<IdempotencyMiddleware>();

app.MapHealth();
app.MapOpenApi().AllowAnonymous();
app.MapDevTokens();
app.MapInvitationPreview();
app.MapGroup("/api").RequireApiUser()
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
app.MapFunctionsHost();

app.Run();

/// <summary>The entry point; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
