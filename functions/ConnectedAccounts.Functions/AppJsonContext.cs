using System.Text.Json.Serialization;
using System.Text.Json;
using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Disconnection;
using ConnectedAccounts.Functions.Health;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Invitations;
using ConnectedAccounts.Domain.Invitations;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Resources;
using ConnectedAccounts.Functions.WebConsole;

namespace ConnectedAccounts.Functions;

/// <summary>
/// The one source-generated serializer context for HTTP bodies, queue messages and stored documents. Every type
/// that crosses a wire or lands in a row is listed here (the generator reads one declaration only).
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(WebConsoleConfig))]
[JsonSerializable(typeof(DisconnectionPlan))]
[JsonSerializable(typeof(DisconnectionRequested))]
[JsonSerializable(typeof(DisconnectPreview))]
[JsonSerializable(typeof(DisconnectAccepted))]
[JsonSerializable(typeof(IdentitySetup.DevTokenRequest))]
[JsonSerializable(typeof(IdentitySetup.DevTokenResponse))]
[JsonSerializable(typeof(CreateAccountRequest))]
[JsonSerializable(typeof(UpdateAccountRequest))]
[JsonSerializable(typeof(AccountResponse))]
[JsonSerializable(typeof(Page<SwitcherEntry>))]
[JsonSerializable(typeof(PermissionsResponse))]
[JsonSerializable(typeof(Page<MemberResponse>))]
[JsonSerializable(typeof(MemberResponse))]
[JsonSerializable(typeof(ChangeRoleRequest))]
[JsonSerializable(typeof(Report))]
[JsonSerializable(typeof(Item))]
[JsonSerializable(typeof(Integration))]
[JsonSerializable(typeof(CreateReportRequest))]
[JsonSerializable(typeof(UpdateReportRequest))]
[JsonSerializable(typeof(SharingRequest))]
[JsonSerializable(typeof(CreateItemRequest))]
[JsonSerializable(typeof(UpdateItemRequest))]
[JsonSerializable(typeof(CreateIntegrationRequest))]
[JsonSerializable(typeof(IntegrationResponse))]
[JsonSerializable(typeof(Page<Report>))]
[JsonSerializable(typeof(Page<Item>))]
[JsonSerializable(typeof(Page<IntegrationResponse>))]
[JsonSerializable(typeof(AccountSnapshot))]
[JsonSerializable(typeof(ConnectionSnapshot))]
[JsonSerializable(typeof(ProjectionMessage))]
[JsonSerializable(typeof(HealthApi.HealthResponse))]
[JsonSerializable(typeof(CreateConnectionRequest))]
[JsonSerializable(typeof(AcceptConnectionRequest))]
[JsonSerializable(typeof(AgencyUsersRequest))]
[JsonSerializable(typeof(ConnectionPermissionsRequest))]
[JsonSerializable(typeof(ConnectionExpiryRequest))]
[JsonSerializable(typeof(ConnectionResponse))]
[JsonSerializable(typeof(Page<ConnectionResponse>))]
[JsonSerializable(typeof(Activity.ActivityEntry))]
[JsonSerializable(typeof(Accounts.AccessReview))]
[JsonSerializable(typeof(Page<Activity.ActivityEntry>))]
[JsonSerializable(typeof(CreateClientRequest))]
[JsonSerializable(typeof(CreateClientResponse))]
[JsonSerializable(typeof(Email.EmailRequest))]
[JsonSerializable(typeof(InvitationSnapshot))]
[JsonSerializable(typeof(InvitationPreview))]
[JsonSerializable(typeof(InvitationResponse))]
[JsonSerializable(typeof(Page<InvitationResponse>))]
[JsonSerializable(typeof(AcceptInvitationRequest))]
[JsonSerializable(typeof(InvitationAcceptedResponse))]
[JsonSerializable(typeof(InviteMemberRequest))]
public sealed partial class AppJsonContext : JsonSerializerContext;
