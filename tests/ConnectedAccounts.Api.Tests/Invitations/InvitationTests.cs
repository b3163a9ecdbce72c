using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Email;

namespace ConnectedAccounts.Api.Tests.Invitations;

public sealed class InvitationTests(InvitationsFactory factory) : IClassFixture<InvitationsFactory>
{
    [Fact]
    public async Task A_member_invitation_link_is_previewed_anonymously_accepted_once_and_then_dead()
    {
        var alice = TestUser.New("alice");
        var bob = TestUser.New("bob");
        var admin = factory.Signed(alice);
        var agencyId = await admin.CreateAccountAsync("agency", "Acme Agency");

        await admin.InviteMemberAsync(agencyId, bob.Email.ToUpperInvariant(), "accountManager");
        var mail = Assert.Single(await factory.MailAsync<MemberInvitedEmail>(bob.Email));
        Assert.Equal("Acme Agency", mail.AccountName);
        Assert.Equal("accountManager", mail.Role);
        var token = InvitationsFactory.TokenOf(mail.AcceptLink);

        var preview = await factory.Anonymous().GetAsync($"/api/invitations/{token}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("member", (string?)preview["kind"]);
        Assert.Equal("Acme Agency", (string?)preview["fromAccountName"]);
        Assert.NotNull(preview["expiresAt"]);

        var invitee = factory.Signed(bob);
        var accepted = await invitee.PostAsync($"/api/invitations/{token}/accept", null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(agencyId, (string?)accepted["accountId"]);
        var members = await admin.GetAsync($"/api/accounts/{agencyId}/members").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(members["items"]!.AsArray(), m => (string?)m!["userId"] == bob.Id && (string?)m["role"] == "accountManager");

        await invitee.PostAsync($"/api/invitations/{token}/accept", null).ExpectProblemAsync(HttpStatusCode.Conflict, "invitation-used");
        await factory.Anonymous().GetAsync($"/api/invitations/{token}").ExpectProblemAsync(HttpStatusCode.NotFound, "invitation-not-found");
    }

    [Fact]
    public async Task Someone_signed_in_with_another_address_cannot_accept_and_nothing_changes()
    {
        var alice = TestUser.New("alice");
        var bob = TestUser.New("bob");
        var admin = factory.Signed(alice);
        var accountId = await admin.CreateAccountAsync("client");
        await admin.InviteMemberAsync(accountId, bob.Email);
        var token = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<MemberInvitedEmail>(bob.Email)).AcceptLink);

        var mallory = factory.Signed(TestUser.New("mallory"));
        await mallory.PostAsync($"/api/invitations/{token}/accept", null).ExpectProblemAsync(HttpStatusCode.Forbidden, "invitation-email-mismatch");
        await mallory.PostAsync($"/api/invitations/{token}/decline", null).ExpectProblemAsync(HttpStatusCode.Forbidden, "invitation-email-mismatch");

        await factory.Anonymous().GetAsync($"/api/invitations/{token}").ExpectAsync(HttpStatusCode.OK);
        await factory.Signed(bob).PostAsync($"/api/invitations/{token}/accept", null).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_invitation_past_its_lifetime_is_expired_for_the_invitee_and_gone_for_everyone_else()
    {
        var admin = factory.Signed(TestUser.New("alice"));
        var bob = TestUser.New("bob");
        var accountId = await admin.CreateAccountAsync("client");
        await admin.InviteMemberAsync(accountId, bob.Email);
        var token = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<MemberInvitedEmail>(bob.Email)).AcceptLink);

        factory.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));

        await factory.Anonymous().GetAsync($"/api/invitations/{token}").ExpectProblemAsync(HttpStatusCode.NotFound, "invitation-not-found");
        await factory.Signed(bob).PostAsync($"/api/invitations/{token}/accept", null).ExpectProblemAsync(HttpStatusCode.Conflict, "invitation-expired");
        var mine = await factory.Signed(bob).GetAsync("/api/me/invitations").ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(mine["items"]!.AsArray());
    }

    [Fact]
    public async Task Invitation_lists_page_oldest_first()
    {
        var bob = TestUser.New("bob");
        var admins = new List<(HttpClient Admin, string AccountId, string InvitationId)>();
        for (var i = 0; i < 3; i++)
        {
            var admin = factory.Signed(TestUser.New("admin" + i));
            var accountId = await admin.CreateAccountAsync("client");
            admins.Add((admin, accountId, await admin.InviteMemberAsync(accountId, bob.Email)));
            factory.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var (first, firstAccount, _) = admins[0];
        var toOthers = new[] { admins[0].InvitationId };
        for (var i = 0; i < 2; i++)
        {
            toOthers = [.. toOthers, await first.InviteMemberAsync(firstAccount, TestUser.New("other" + i).Email)];
            factory.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(toOthers, await AllPagesAsync(first, $"/api/accounts/{firstAccount}/invitations"));
        Assert.Equal(admins.Select(a => a.InvitationId), await AllPagesAsync(factory.Signed(bob), "/api/me/invitations"));
        await first.GetAsync($"/api/accounts/{firstAccount}/invitations?pageSize=0").ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
        await factory.Signed(bob).GetAsync("/api/me/invitations?pageSize=201").ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
    }

    /// <summary>Follows a list two at a time; every page but the last is full.</summary>
    private static async Task<List<string>> AllPagesAsync(HttpClient client, string url)
    {
        var ids = new List<string>();
        string? token = null;
        var pages = new List<int>();
        do
        {
            var page = await client.GetAsync(url + "?pageSize=2" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token))).ExpectAsync(HttpStatusCode.OK);
            var items = page["items"]!.AsArray();
            pages.Add(items.Count);
            ids.AddRange(items.Select(i => (string)i!["id"]!));
            token = (string?)page["continuationToken"];
        }
        while (token is not null && pages.Count < 10);

        Assert.Equal([2, 1], pages);
        return ids;
    }

    [Fact]
    public async Task A_cancelled_invitation_tells_the_invitee_it_was_cancelled()
    {
        var admin = factory.Signed(TestUser.New("alice"));
        var bob = TestUser.New("bob");
        var accountId = await admin.CreateAccountAsync("client");
        var invitationId = await admin.InviteMemberAsync(accountId, bob.Email);
        var token = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<MemberInvitedEmail>(bob.Email)).AcceptLink);

        var cancelled = await admin.PostAsync($"/api/accounts/{accountId}/invitations/{invitationId}/cancel", null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("cancelled", (string?)cancelled["state"]);

        await factory.Signed(bob).PostAsync($"/api/invitations/{token}/accept", null).ExpectProblemAsync(HttpStatusCode.Conflict, "invitation-cancelled");
        var pending = await admin.GetAsync($"/api/accounts/{accountId}/invitations").ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(pending["items"]!.AsArray());
    }

    [Fact]
    public async Task A_resent_invitation_kills_the_old_link_and_the_new_one_works()
    {
        var admin = factory.Signed(TestUser.New("alice"));
        var bob = TestUser.New("bob");
        var accountId = await admin.CreateAccountAsync("client");
        var invitationId = await admin.InviteMemberAsync(accountId, bob.Email, "viewOnly");
        var oldToken = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<MemberInvitedEmail>(bob.Email)).AcceptLink);

        var resent = await admin.PostAsync($"/api/accounts/{accountId}/invitations/{invitationId}/resend", null).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual(invitationId, (string?)resent["id"]);
        Assert.Equal("viewOnly", (string?)resent["role"]);
        var mails = await factory.MailAsync<MemberInvitedEmail>(bob.Email, 2);
        var newToken = InvitationsFactory.TokenOf(mails[1].AcceptLink);
        Assert.NotEqual(oldToken, newToken);

        var invitee = factory.Signed(bob);
        await factory.Anonymous().GetAsync($"/api/invitations/{oldToken}").ExpectProblemAsync(HttpStatusCode.NotFound, "invitation-not-found");
        await invitee.PostAsync($"/api/invitations/{oldToken}/accept", null).ExpectProblemAsync(HttpStatusCode.Conflict, "invitation-superseded");
        await admin.PostAsync($"/api/accounts/{accountId}/invitations/{invitationId}/resend", null).ExpectProblemAsync(HttpStatusCode.Conflict, "invitation-not-pending");
        await invitee.PostAsync($"/api/invitations/{newToken}/accept", null).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Anonymous_callers_get_byte_identical_answers_for_unknown_expired_used_and_cancelled_links()
    {
        var admin = factory.Signed(TestUser.New("alice"));
        var accountId = await admin.CreateAccountAsync("client");
        var (used, cancelled) = (TestUser.New("used"), TestUser.New("cancelled"));
        await admin.InviteMemberAsync(accountId, used.Email);
        var cancelledId = await admin.InviteMemberAsync(accountId, cancelled.Email);
        var usedToken = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<MemberInvitedEmail>(used.Email)).AcceptLink);
        var cancelledToken = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<MemberInvitedEmail>(cancelled.Email)).AcceptLink);
        await factory.Signed(used).PostAsync($"/api/invitations/{usedToken}/accept", null).ExpectAsync(HttpStatusCode.OK);
        await admin.PostAsync($"/api/accounts/{accountId}/invitations/{cancelledId}/cancel", null).ExpectAsync(HttpStatusCode.OK);

        var unknown = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var bodies = new List<string>();
        foreach (var token in new[] { unknown, "not-a-token", usedToken, cancelledToken })
        {
            var response = await factory.Anonymous().GetAsync($"/api/invitations/{token}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        var expiring = TestUser.New("expiring");
        await admin.InviteMemberAsync(accountId, expiring.Email);
        var expiredToken = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<MemberInvitedEmail>(expiring.Email)).AcceptLink);
        factory.Clock.Advance(TimeSpan.FromDays(8));
        bodies.Add(await (await factory.Anonymous().GetAsync($"/api/invitations/{expiredToken}")).Content.ReadAsStringAsync());

        Assert.Single(bodies.Distinct());
        Assert.DoesNotContain(accountId, bodies[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_in_invitee_sees_pending_invitations_in_the_app_and_accepts_without_the_link()
    {
        var admin = factory.Signed(TestUser.New("alice"));
        var bob = TestUser.New("bob");
        var accountId = await admin.CreateAccountAsync("client", "Bob's Bikes");
        await admin.InviteMemberAsync(accountId, bob.Email, "regularUser");
        var token = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<MemberInvitedEmail>(bob.Email)).AcceptLink);
        var invitee = factory.Signed(bob);

        var mine = await invitee.GetAsync("/api/me/invitations").ExpectAsync(HttpStatusCode.OK);
        var item = Assert.Single(mine["items"]!.AsArray())!;
        var id = (string)item["id"]!;
        Assert.NotEqual(token, id);
        Assert.Equal("Bob's Bikes", (string?)item["fromAccountName"]);
        Assert.Equal("pending", (string?)item["state"]);

        var other = factory.Signed(TestUser.New("mallory"));
        await other.PostAsync($"/api/me/invitations/{id}/accept", null).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        await invitee.PostAsync($"/api/me/invitations/{id}/accept", null).ExpectAsync(HttpStatusCode.OK);
        var permissions = await invitee.GetAsync($"/api/accounts/{accountId}/permissions").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(permissions["actions"]!.AsArray(), a => (string?)a == "items.create");
        Assert.Empty((await invitee.GetAsync("/api/me/invitations").ExpectAsync(HttpStatusCode.OK))["items"]!.AsArray());
    }

    [Fact]
    public async Task A_member_invited_with_narrower_actions_gets_only_those()
    {
        var admin = factory.Signed(TestUser.New("alice"));
        var bob = TestUser.New("bob");
        var accountId = await admin.CreateAccountAsync("client");
        await admin.PostJsonAsync($"/api/accounts/{accountId}/members", new { email = bob.Email, role = "regularUser", actions = new[] { "reports.read", "orgs.destroy" } })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
        await admin.PostJsonAsync($"/api/accounts/{accountId}/members", new { email = bob.Email, role = "viewOnly", actions = new[] { "items.create" } })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
        await admin.PostJsonAsync($"/api/accounts/{accountId}/members", new { email = bob.Email, role = "regularUser", actions = new[] { "reports.read" } })
            .ExpectAsync(HttpStatusCode.Accepted);
        var token = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<MemberInvitedEmail>(bob.Email)).AcceptLink);

        await factory.Signed(bob).PostAsync($"/api/invitations/{token}/accept", null).ExpectAsync(HttpStatusCode.OK);
        var permissions = await factory.Signed(bob).GetAsync($"/api/accounts/{accountId}/permissions").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["reports.read"], permissions["actions"]!.AsArray().Select(a => (string?)a));
    }

    [Fact]
    public async Task Only_an_org_admin_invites_an_org_admin_and_other_tenants_see_404()
    {
        var alice = factory.Signed(TestUser.New("alice"));
        var manager = TestUser.New("manager");
        var accountId = await alice.CreateAccountAsync("client");
        await alice.InviteMemberAsync(accountId, manager.Email, "accountManager");
        var token = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<MemberInvitedEmail>(manager.Email)).AcceptLink);
        await factory.Signed(manager).PostAsync($"/api/invitations/{token}/accept", null).ExpectAsync(HttpStatusCode.OK);

        await factory.Signed(manager).PostJsonAsync($"/api/accounts/{accountId}/members", new { email = "x@example.test", role = "orgAdmin" })
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await factory.Signed(TestUser.New("eve")).PostJsonAsync($"/api/accounts/{accountId}/members", new { email = "x@example.test", role = "viewOnly" })
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await factory.Signed(TestUser.New("eve")).GetAsync($"/api/accounts/{accountId}/invitations").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await alice.PostJsonAsync($"/api/accounts/{accountId}/members", new { email = "not an address", role = "viewOnly" })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task An_agency_connects_by_email_and_the_client_admin_picks_their_account_on_accepting()
    {
        var alice = TestUser.New("alice");
        var carol = TestUser.New("carol");
        var agencyAdmin = factory.Signed(alice);
        var clientAdmin = factory.Signed(carol);
        var agencyId = await agencyAdmin.CreateAccountAsync("agency", "Acme Agency");
        var clientId = await clientAdmin.CreateAccountAsync("client", "Bob's Bikes");
        var otherAgencyId = await clientAdmin.CreateAccountAsync("agency");
        await clientAdmin.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q4" }).ExpectAsync(HttpStatusCode.Created);

        var invitation = await agencyAdmin.PostJsonAsync($"/api/accounts/{agencyId}/connections",
            new { targetEmail = carol.Email, permissions = new[] { "reports.read" }, message = "Let us in" }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("pending", (string?)invitation["state"]);
        Assert.Equal("connection", (string?)invitation["kind"]);
        var requested = Assert.Single(await factory.MailAsync<ConnectionRequestedEmail>(carol.Email));
        Assert.Equal("Acme Agency", requested.FromAccountName);
        Assert.Equal("Let us in", requested.Message);
        var token = InvitationsFactory.TokenOf(requested.AcceptLink);

        await clientAdmin.PostJsonAsync($"/api/invitations/{token}/accept", new { accountId = otherAgencyId }).ExpectProblemAsync(HttpStatusCode.Conflict, "connection-direction");
        await clientAdmin.PostJsonAsync($"/api/invitations/{token}/accept", new { accountId = agencyId }).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await clientAdmin.PostJsonAsync($"/api/invitations/{token}/accept", new { }).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");

        var accepted = await clientAdmin.PostJsonAsync($"/api/invitations/{token}/accept", new { accountId = clientId }).ExpectAsync(HttpStatusCode.OK);
        var connection = accepted["connection"]!;
        Assert.Equal("active", (string?)connection["state"]);
        Assert.Equal(agencyId, (string?)connection["agencyAccountId"]);
        Assert.Equal(clientId, (string?)connection["clientAccountId"]);
        Assert.Equal(("Acme Agency", "Bob's Bikes"), ((string?)connection["agencyAccountName"], (string?)connection["clientAccountName"]));
        Assert.Equal(["reports.read"], connection["permissions"]!.AsArray().Select(p => (string?)p));

        var reports = await agencyAdmin.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);
        Assert.Single(reports["items"]!.AsArray());
        var acceptedMail = Assert.Single(await factory.MailAsync<ConnectionAcceptedEmail>(alice.Email));
        Assert.Equal("Bob's Bikes", acceptedMail.OtherAccountName);
        Assert.EndsWith("/connections/" + (string)connection["id"]!, acceptedMail.ConnectionLink.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_grants_access_by_email_and_the_agency_manager_creates_their_agency_on_accepting()
    {
        var carol = TestUser.New("carol");
        var dave = TestUser.New("dave");
        var clientAdmin = factory.Signed(carol);
        var clientId = await clientAdmin.CreateAccountAsync("client", "Bob's Bikes");
        await clientAdmin.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q4" }).ExpectAsync(HttpStatusCode.Created);

        await clientAdmin.PostJsonAsync($"/api/accounts/{clientId}/connections", new { targetEmail = dave.Email }).ExpectAsync(HttpStatusCode.Created);
        var token = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<ConnectionRequestedEmail>(dave.Email)).AcceptLink);

        var manager = factory.Signed(dave);
        var accepted = await manager.PostJsonAsync($"/api/invitations/{token}/accept", new { newAccount = new { name = "Dave's Agency" } }).ExpectAsync(HttpStatusCode.OK);
        var agencyId = (string)accepted["accountId"]!;
        Assert.Equal(agencyId, (string?)accepted["connection"]!["agencyAccountId"]);
        Assert.Equal(("Dave's Agency", "Bob's Bikes"), ((string?)accepted["connection"]!["agencyAccountName"], (string?)accepted["connection"]!["clientAccountName"]));

        var agency = await manager.GetAsync($"/api/accounts/{agencyId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("agency", (string?)agency["kind"]);
        var reports = await manager.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);
        Assert.Single(reports["items"]!.AsArray());
        Assert.Single(await factory.MailAsync<ConnectionAcceptedEmail>(carol.Email));
    }

    [Fact]
    public async Task Declining_a_connection_invitation_emails_the_inviter()
    {
        var alice = TestUser.New("alice");
        var carol = TestUser.New("carol");
        var agencyId = await factory.Signed(alice).CreateAccountAsync("agency", "Acme Agency");
        await factory.Signed(alice).PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetEmail = carol.Email }).ExpectAsync(HttpStatusCode.Created);
        var token = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<ConnectionRequestedEmail>(carol.Email)).AcceptLink);

        var declined = await factory.Signed(carol).PostAsync($"/api/invitations/{token}/decline", null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("declined", (string?)declined["state"]);

        var mail = Assert.Single(await factory.MailAsync<ConnectionDeclinedEmail>(alice.Email));
        Assert.Equal("Acme Agency", mail.YourAccountName);
        Assert.EndsWith(":connectionDeclined", mail.IdempotencyKey, StringComparison.Ordinal);
        await factory.Signed(carol).PostAsync($"/api/invitations/{token}/accept", null).ExpectProblemAsync(HttpStatusCode.Conflict, "invitation-used");
    }

    [Fact]
    public async Task A_client_claims_the_account_an_agency_created_and_sees_only_the_shared_reports()
    {
        var alice = TestUser.New("alice");
        var carol = TestUser.New("carol");
        var agencyAdmin = factory.Signed(alice);
        var agencyId = await agencyAdmin.CreateAccountAsync("agency", "Acme Agency");

        var created = await agencyAdmin.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bob's Bikes", email = carol.Email }).ExpectAsync(HttpStatusCode.Created);
        var clientId = (string)created["account"]!["id"]!;
        Assert.Equal("clientAccount", (string?)created["invitation"]!["kind"]);
        var shared = await agencyAdmin.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Shared" }).ExpectAsync(HttpStatusCode.Created);
        await agencyAdmin.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Internal" }).ExpectAsync(HttpStatusCode.Created);
        await agencyAdmin.PutAsJsonAsync($"/api/accounts/{clientId}/reports/{(string)shared["id"]!}/sharing", new { sharedWithClient = true }).ExpectAsync(HttpStatusCode.OK);

        var mail = Assert.Single(await factory.MailAsync<ClientAccountCreatedEmail>(carol.Email));
        Assert.Equal("Acme Agency", mail.AgencyName);
        Assert.Equal("Bob's Bikes", mail.ClientAccountName);
        var client = factory.Signed(carol);
        await client.GetAsync($"/api/accounts/{clientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        var accepted = await client.PostAsync($"/api/invitations/{InvitationsFactory.TokenOf(mail.AcceptLink)}/accept", null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(clientId, (string?)accepted["accountId"]);

        var members = await client.GetAsync($"/api/accounts/{clientId}/members").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(members["items"]!.AsArray(), m => (string?)m!["userId"] == carol.Id && (string?)m["role"] == "orgAdmin");
        var clientView = await client.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Shared"], clientView["items"]!.AsArray().Select(r => (string?)r!["name"]));
        var agencyView = await agencyAdmin.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, agencyView["items"]!.AsArray().Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_agency_asks_a_created_client_for_its_team_and_the_invitee_grants_it_by_accepting_or_leaves_it_out(bool grants)
    {
        var alice = TestUser.New("alice");
        var carol = TestUser.New("carol");
        var agencyAdmin = factory.Signed(alice);
        var agencyId = await agencyAdmin.CreateAccountAsync("agency", "Acme Agency");

        var created = await agencyAdmin.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bob's Bikes", email = carol.Email, permissions = new[] { "reports.read", "reports.export", "members.manage" } })
            .ExpectAsync(HttpStatusCode.Created);
        var (clientId, connectionUrl) = ((string)created["account"]!["id"]!, $"/api/connections/{(string)created["connection"]!["id"]!}");
        Assert.Equal(["reports.export", "reports.read"], Names(created["connection"]!["permissions"]));
        Assert.Equal(("Acme Agency", "Bob's Bikes"), ((string?)created["connection"]!["agencyAccountName"], (string?)created["connection"]!["clientAccountName"]));
        Assert.Equal(["members.manage"], Names(created["invitation"]!["asksPermissions"]));
        await agencyAdmin.GetAsync($"/api/accounts/{clientId}/members").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden-through-connection");

        var mail = Assert.Single(await factory.MailAsync<ClientAccountCreatedEmail>(carol.Email));
        Assert.Contains("Acme Agency also asks to manage the account's team", EmailRenderer.Render(mail).TextBody, StringComparison.Ordinal);
        var token = InvitationsFactory.TokenOf(mail.AcceptLink);
        Assert.Equal(["members.manage"], Names((await factory.Anonymous().GetAsync($"/api/invitations/{token}").ExpectAsync(HttpStatusCode.OK))["asksPermissions"]));
        await factory.Signed(carol).PostJsonAsync($"/api/invitations/{token}/accept", new { permissions = new[] { "nope" } }).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
        await factory.Signed(carol).PostJsonAsync($"/api/invitations/{token}/accept", new { permissions = grants ? new[] { "members.manage" } : [] }).ExpectAsync(HttpStatusCode.OK);

        var connection = await agencyAdmin.GetAsync(connectionUrl).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(grants ? ["members.manage", "reports.export", "reports.read"] : ["reports.export", "reports.read"], Names(connection["permissions"]));

        // The client's trail: the agency person created it through the connection; the invitee joined and granted.
        var trail = (await factory.Signed(carol).GetAsync($"/api/accounts/{clientId}/activity").ExpectAsync(HttpStatusCode.OK))["items"]!.AsArray();
        var joined = trail.Single(e => (string?)e!["action"] == "member.joined")!;
        Assert.Equal((carol.Id, "member", "orgAdmin"), ((string?)joined["actor"]!["userId"], (string?)joined["actor"]!["via"], (string?)joined["details"]!["role"]));
        Assert.Equal(grants ? "members.manage" : "", (string?)joined["details"]!["grantedPermissions"]);
        var createdEntry = trail.Single(e => (string?)e!["action"] == "account.created")!;
        Assert.Equal((alice.Id, "connection", agencyId), ((string?)createdEntry["actor"]!["userId"], (string?)createdEntry["actor"]!["via"], (string?)createdEntry["actor"]!["accountId"]));
        if (grants)
        {
            await agencyAdmin.GetAsync($"/api/accounts/{clientId}/members").ExpectAsync(HttpStatusCode.OK);
            // Never beyond what the connection lets them hold there: the reports, so a viewOnly member.
            await agencyAdmin.PostJsonAsync($"/api/accounts/{clientId}/members", new { email = $"dana.{Guid.NewGuid():N}@bikes.test", role = "viewOnly" }).ExpectAsync(HttpStatusCode.Accepted);
        }
        else
        {
            await agencyAdmin.GetAsync($"/api/accounts/{clientId}/members").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden-through-connection");
        }
    }

    private static List<string> Names(System.Text.Json.Nodes.JsonNode? names) => names!.AsArray().Select(n => (string)n!).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Concurrent_accepts_of_one_invitation_have_exactly_one_winner()
    {
        var admin = factory.Signed(TestUser.New("alice"));
        var bob = TestUser.New("bob");
        var accountId = await admin.CreateAccountAsync("client");
        await admin.InviteMemberAsync(accountId, bob.Email);
        var token = InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<MemberInvitedEmail>(bob.Email)).AcceptLink);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => factory.Signed(bob).PostAsync($"/api/invitations/{token}/accept", null)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var members = await admin.GetAsync($"/api/accounts/{accountId}/members").ExpectAsync(HttpStatusCode.OK);
        Assert.Single(members["items"]!.AsArray(), m => (string?)m!["userId"] == bob.Id);
    }
}
