using ConnectedAccounts.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Functions.Invitations;

/// <summary>
/// The invitations routes as isolated-worker functions. Each runs the app's one HTTP pipeline (<see cref="HttpFunctionPipeline"/>),
/// which routes to the same handler as standalone; the route-table test keeps these triggers and those routes equal.
/// </summary>
public sealed class InvitationsFunctions(HttpFunctionPipeline api, InvitationCleanup cleanup)
{
    [Function(nameof(PreviewInvitation))]
    public Task<IResult> PreviewInvitation([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/invitations/{token}")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(AcceptInvitationByToken))]
    public Task<IResult> AcceptInvitationByToken([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/invitations/{token}/accept")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(DeclineInvitationByToken))]
    public Task<IResult> DeclineInvitationByToken([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/invitations/{token}/decline")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(ListMyInvitations))]
    public Task<IResult> ListMyInvitations([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/me/invitations")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(AcceptMyInvitation))]
    public Task<IResult> AcceptMyInvitation([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/me/invitations/{invitationId}/accept")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(DeclineMyInvitation))]
    public Task<IResult> DeclineMyInvitation([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/me/invitations/{invitationId}/decline")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(ListAccountInvitations))]
    public Task<IResult> ListAccountInvitations([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/invitations")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(ResendInvitation))]
    public Task<IResult> ResendInvitation([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/accounts/{accountId}/invitations/{invitationId}/resend")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(CancelInvitation))]
    public Task<IResult> CancelInvitation([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/accounts/{accountId}/invitations/{invitationId}/cancel")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(InviteMember))]
    public Task<IResult> InviteMember([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/accounts/{accountId}/members")] HttpRequest request) => api.RunAsync(request);


    [Function(nameof(InvitationCleanup))]
    public Task InvitationCleanup([TimerTrigger("%Schedules:InvitationCleanup%")] TimerInfo timer, CancellationToken cancellationToken) =>
        cleanup.RunAsync(cancellationToken);
}
