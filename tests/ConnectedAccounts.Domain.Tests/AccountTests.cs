using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;

namespace ConnectedAccounts.Domain.Tests;

public class AccountTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string?, string?> Names { get; } = new()
    {
        { null, "name-required" },
        { "", "name-required" },
        { " ", "name-required" },
        { "\t\n ", "name-required" },
        { new string('a', Account.MaxNameLength + 1), "name-too-long" },
        { "Acme\u0000Ltd", "name-invalid" },
        { "Acme\nLtd", "name-invalid" },
        { "Acme\u007fLtd", "name-invalid" },
        { "Acme", null },
        { "Acme & Søn — Ltd.", null },
        { new string('a', Account.MaxNameLength), null },
    };

    [Theory]
    [InlineData(AccountKind.Agency, ConnectionDirection.CanRequestAccess, ConnectionSide.Agency)]
    [InlineData(AccountKind.Client, ConnectionDirection.CanGrantAccess, ConnectionSide.Client)]
    public void The_connection_direction_defaults_from_the_kind(AccountKind kind, ConnectionDirection direction, ConnectionSide side)
    {
        var account = Account.Create(Ids.NewAccountId(), Ids.NewOrganisationId(), "Acme", kind, Person("usr-a", Role.ViewOnly), At);

        Assert.Equal(direction, Account.DefaultDirection(kind));
        Assert.Equal(direction, account.ConnectionDirection);
        Assert.Equal(side, account.Side);
        Assert.Equal(kind, account.Kind);
        Assert.Equal(AccountStatus.Active, account.Status);
        Assert.Empty(account.Grants);
    }

    [Fact]
    public void The_creator_becomes_org_admin_whatever_role_they_came_with()
    {
        var account = Account.Create("acc-1", "org-1", "Acme", AccountKind.Client, Person("usr-a", Role.ViewOnly), At, "acc-agency");

        Assert.Equal([Person("usr-a", Role.OrgAdmin)], account.Members);
        Assert.Equal(Role.OrgAdmin, account.RoleOf("usr-a"));
        Assert.Equal("acc-agency", account.CreatedByAccountId);
        Assert.Equal(At, account.CreatedAt);
        Assert.Equal("org-1", account.OrganisationId);
    }

    [Fact]
    public void An_account_created_without_a_creator_has_no_members()
    {
        var account = Account.Create("acc-1", "org-1", "Acme", AccountKind.Client, null, At);

        Assert.Empty(account.Members);
    }

    [Fact]
    public void Last_org_admin_cannot_be_removed()
    {
        var account = NewAccount(out var admin);

        var outcome = account.RemoveMember(admin);

        Assert.Equal("last-org-admin", outcome.Error?.Code);
        Assert.Equal(ErrorKind.Conflict, outcome.Error?.Kind);
        Assert.Equal(Role.OrgAdmin, account.RoleOf(admin));
    }

    [Theory]
    [InlineData(Role.AccountManager)]
    [InlineData(Role.RegularUser)]
    [InlineData(Role.ViewOnly)]
    public void Last_org_admin_cannot_be_demoted(Role role)
    {
        var account = NewAccount(out var admin);
        Assert.True(account.AddMember(Person("usr-other", Role.AccountManager)).Succeeded);

        Assert.Equal("last-org-admin", account.ChangeRole(admin, role).Error?.Code);
        Assert.Equal("last-org-admin", account.AddMember(Person(admin, role)).Error?.Code);
        Assert.Equal(Role.OrgAdmin, account.RoleOf(admin));
    }

    [Fact]
    public void Last_org_admin_can_stay_org_admin()
    {
        var account = NewAccount(out var admin);

        Assert.True(account.ChangeRole(admin, Role.OrgAdmin).Succeeded);
    }

    [Fact]
    public void An_org_admin_can_be_demoted_and_removed_once_another_org_admin_exists()
    {
        var account = NewAccount(out var admin);
        Assert.True(account.AddMember(Person("usr-second", Role.RegularUser)).Succeeded);
        Assert.True(account.ChangeRole("usr-second", Role.OrgAdmin).Succeeded);

        Assert.True(account.ChangeRole(admin, Role.ViewOnly).Succeeded);
        Assert.Equal(Role.ViewOnly, account.RoleOf(admin));
        Assert.Equal("last-org-admin", account.ChangeRole("usr-second", Role.ViewOnly).Error?.Code);

        Assert.True(account.ChangeRole(admin, Role.OrgAdmin).Succeeded);
        Assert.True(account.RemoveMember(admin).Succeeded);
        Assert.Null(account.MemberOf(admin));
        Assert.Equal("last-org-admin", account.RemoveMember("usr-second").Error?.Code);
    }

    [Fact]
    public void Other_members_can_always_be_removed_or_have_their_role_changed()
    {
        var account = NewAccount(out _);
        Assert.True(account.AddMember(Person("usr-b", Role.ViewOnly)).Succeeded);

        Assert.True(account.ChangeRole("usr-b", Role.AccountManager).Succeeded);
        Assert.Equal(Role.AccountManager, account.RoleOf("usr-b"));
        Assert.True(account.RemoveMember("usr-b").Succeeded);
        Assert.Null(account.RoleOf("usr-b"));
    }

    [Fact]
    public void An_unknown_member_is_not_found()
    {
        var account = NewAccount(out _);

        Assert.Equal(ErrorKind.NotFound, account.ChangeRole("usr-nobody", Role.ViewOnly).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, account.RemoveMember("usr-nobody").Error?.Kind);
    }

    [Fact]
    public void Adding_an_existing_member_changes_their_role_without_a_second_entry()
    {
        var account = NewAccount(out _);
        Assert.True(account.AddMember(Person("usr-b", Role.ViewOnly)).Succeeded);

        Assert.True(account.AddMember(Person("usr-b", Role.RegularUser)).Succeeded);

        Assert.Equal(2, account.Members.Count);
        Assert.Single(account.Members, m => m.UserId == "usr-b");
        Assert.Equal(Role.RegularUser, account.RoleOf("usr-b"));
    }

    [Fact]
    public void An_account_holds_at_most_the_member_cap_but_existing_members_can_still_change_role()
    {
        var account = NewAccount(out _);
        for (var i = 1; i < Account.MaxMembers; i++)
        {
            Assert.True(account.AddMember(Person($"usr-{i}", Role.ViewOnly)).Succeeded);
        }

        Assert.Equal(Account.MaxMembers, account.Members.Count);

        var outcome = account.AddMember(Person("usr-one-too-many", Role.ViewOnly));

        Assert.Equal("account-members-full", outcome.Error?.Code);
        Assert.Equal(ErrorKind.Conflict, outcome.Error?.Kind);
        Assert.Equal(Account.MaxMembers, account.Members.Count);
        Assert.True(account.AddMember(Person("usr-1", Role.RegularUser)).Succeeded);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_name_is_validated(string? name, string? expectedCode) =>
        Assert.Equal(expectedCode, Account.ValidateName(name)?.Code);

    [Fact]
    public void Renaming_trims_and_refuses_an_invalid_name()
    {
        var account = NewAccount(out _);

        Assert.True(account.Rename("  New name ").Succeeded);
        Assert.Equal("New name", account.Name);
        Assert.Equal("name-required", account.Rename("   ").Error?.Code);
        Assert.Equal("New name", account.Name);
    }

    [Fact]
    public void The_direction_can_change_while_there_are_no_grants()
    {
        var account = NewAccount(out _);

        Assert.True(account.ChangeDirection(ConnectionDirection.CanRequestAccess, hasOpenConnections: false).Succeeded);
        Assert.Equal(ConnectionDirection.CanRequestAccess, account.ConnectionDirection);
        Assert.Equal(ConnectionSide.Agency, account.Side);
    }

    [Fact]
    public void The_direction_cannot_change_while_grants_exist()
    {
        var client = NewAccount(out _);
        client.ApplyConnection(ActiveConnectionTo(client, "acc-agency"));

        var outcome = client.ChangeDirection(ConnectionDirection.CanRequestAccess, hasOpenConnections: false);

        Assert.Equal("account-has-connections", outcome.Error?.Code);
        Assert.Equal(ConnectionDirection.CanGrantAccess, client.ConnectionDirection);
        Assert.True(client.ChangeDirection(ConnectionDirection.CanGrantAccess, hasOpenConnections: false).Succeeded);
    }

    [Fact]
    public void The_direction_cannot_change_while_a_connection_is_pending_or_active_on_either_side()
    {
        var agency = NewAccount(out _);

        var outcome = agency.ChangeDirection(ConnectionDirection.CanRequestAccess, hasOpenConnections: true);

        Assert.Equal("account-has-connections", outcome.Error?.Code);
        Assert.Equal(ConnectionDirection.CanGrantAccess, agency.ConnectionDirection);
    }

    [Fact]
    public void A_grant_is_added_only_for_an_active_connection_and_removed_when_it_leaves_active()
    {
        var client = NewAccount(out _);
        var connection = RequestTo(client, "acc-agency");

        client.ApplyConnection(connection);
        Assert.Empty(client.Grants);

        Assert.True(connection.Accept(ConnectionSide.Client, At, null, new HashSet<PermissionAction> { PermissionAction.ReportsRead }).Succeeded);
        client.ApplyConnection(connection);
        var grant = Assert.Single(client.Grants);
        Assert.Equal(connection.Id, grant.ConnectionId);
        Assert.Equal("acc-agency", grant.AgencyAccountId);
        Assert.Equal([PermissionAction.ReportsRead], grant.Permissions);

        Assert.True(connection.ChangeAgencyUsers(AgencyUserSelection.Selected(["usr-x"]), ["usr-x"], DateTimeOffset.UtcNow).Succeeded);
        client.ApplyConnection(connection);
        grant = Assert.Single(client.Grants);
        Assert.Equal(["usr-x"], grant.AgencyUsers.UserIds);
        Assert.Equal(["usr-x"], grant.AccountManagerIds);

        Assert.True(connection.BeginDisconnect("usr-x", At).Succeeded);
        client.ApplyConnection(connection);
        Assert.Empty(client.Grants);
    }

    [Fact]
    public void A_grant_is_never_added_to_the_agency_side()
    {
        var agency = Account.Create(Ids.NewAccountId(), Ids.NewOrganisationId(), "Agency", AccountKind.Agency, Person("usr-a", Role.OrgAdmin), At);
        var connection = Connection.Request(Ids.NewConnectionId("acc-client"), agency.Id, "acc-client", ConnectionSide.Agency, "usr-a", At, null, null, null);
        Assert.True(connection.Accept(ConnectionSide.Client, At, null, null).Succeeded);

        agency.ApplyConnection(connection);

        Assert.Empty(agency.Grants);
    }

    [Theory]
    [InlineData(ConnectionState.Declined)]
    [InlineData(ConnectionState.Cancelled)]
    [InlineData(ConnectionState.Expired)]
    public void A_request_that_ends_without_being_accepted_leaves_no_grant(ConnectionState end)
    {
        var client = NewAccount(out _);
        var connection = RequestTo(client, "acc-agency");
        var outcome = end switch
        {
            ConnectionState.Declined => connection.Decline(ConnectionSide.Client, At),
            ConnectionState.Cancelled => connection.Cancel(ConnectionSide.Agency, At),
            _ => connection.Expire(At),
        };
        Assert.True(outcome.Succeeded);

        client.ApplyConnection(connection);

        Assert.Empty(client.Grants);
    }

    [Fact]
    public void A_member_role_comes_before_any_grant()
    {
        var client = NewAccount(out _);
        Assert.True(client.AddMember(Person("usr-both", Role.ViewOnly)).Succeeded);
        client.ApplyConnection(ActiveConnectionTo(client, "acc-agency"));

        var path = client.AccessFor("usr-both", _ => Role.OrgAdmin, DateTimeOffset.UtcNow);

        Assert.Equal(new AccessPath.Member(Role.ViewOnly), path);
    }

    [Fact]
    public void A_stranger_has_no_access()
    {
        var client = NewAccount(out _);
        client.ApplyConnection(ActiveConnectionTo(client, "acc-agency", AgencyUserSelection.Selected(["usr-agency"])));

        Assert.IsType<AccessPath.None>(client.AccessFor("usr-stranger", _ => Role.OrgAdmin, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void A_selected_agency_user_reaches_the_client_through_the_connection()
    {
        var client = NewAccount(out _);
        client.ApplyConnection(ActiveConnectionTo(client, "acc-agency", AgencyUserSelection.Selected(["usr-agency"])));

        var path = Assert.IsType<AccessPath.ViaConnection>(client.AccessFor("usr-agency", _ => Role.RegularUser, DateTimeOffset.UtcNow));

        Assert.Equal(Role.RegularUser, path.AgencyRole);
        Assert.True(path.ConnectionActive);
        Assert.True(path.IsAgencyUser);
        Assert.False(path.ManagesClient);
        Assert.DoesNotContain(PermissionAction.MembersManage, path.ConnectionPermissions);
        Assert.Equal(8, path.ConnectionPermissions.Count);
    }

    [Fact]
    public void An_agency_user_the_agency_does_not_know_has_no_access()
    {
        var client = NewAccount(out _);
        client.ApplyConnection(ActiveConnectionTo(client, "acc-agency", AgencyUserSelection.Everyone));
        var asked = new List<string>();

        var path = client.AccessFor("usr-agency", g =>
        {
            asked.Add(g.AgencyAccountId);
            return null;
        }, DateTimeOffset.UtcNow);

        Assert.IsType<AccessPath.None>(path);
        Assert.Equal(["acc-agency"], asked);
    }

    [Fact]
    public void An_account_manager_listed_on_the_connection_manages_the_client()
    {
        var client = NewAccount(out _);
        var connection = RequestTo(client, "acc-agency");
        Assert.True(connection.ChangeAgencyUsers(AgencyUserSelection.Everyone, ["usr-manager"], DateTimeOffset.UtcNow).Succeeded);
        Assert.True(connection.Accept(ConnectionSide.Client, At, null, null).Succeeded);
        client.ApplyConnection(connection);

        var listed = Assert.IsType<AccessPath.ViaConnection>(client.AccessFor("usr-manager", _ => Role.AccountManager, DateTimeOffset.UtcNow));
        Assert.True(listed.ManagesClient);
        Assert.Equal(8, AccessDecision.EffectiveActions(listed).Count);

        Assert.Empty(AccessDecision.EffectiveActions(client.AccessFor("usr-other-manager", _ => Role.AccountManager, DateTimeOffset.UtcNow)));
    }

    [Fact]
    public void When_two_grants_apply_the_richer_one_is_picked_whatever_their_order()
    {
        foreach (var richFirst in new[] { true, false })
        {
            var client = NewAccount(out _);
            var narrow = ActiveConnectionTo(client, "acc-narrow", permissions: new HashSet<PermissionAction> { PermissionAction.ReportsRead });
            var rich = ActiveConnectionTo(client, "acc-rich");
            client.ApplyConnection(richFirst ? rich : narrow);
            client.ApplyConnection(richFirst ? narrow : rich);
            Assert.Equal(2, client.Grants.Count);

            var path = Assert.IsType<AccessPath.ViaConnection>(client.AccessFor("usr-agency", _ => Role.RegularUser, DateTimeOffset.UtcNow));

            Assert.Equal(
                PermissionMatrix.ActionsOf(Role.RegularUser).Intersect(PermissionActions.Connectable).Order(),
                AccessDecision.EffectiveActions(path).Order());
        }
    }

    [Fact]
    public void When_two_grants_apply_the_role_on_each_agency_counts()
    {
        var client = NewAccount(out _);
        client.ApplyConnection(ActiveConnectionTo(client, "acc-viewer"));
        client.ApplyConnection(ActiveConnectionTo(client, "acc-admin"));

        var path = Assert.IsType<AccessPath.ViaConnection>(
            client.AccessFor("usr-agency", g => g.AgencyAccountId == "acc-admin" ? Role.OrgAdmin : Role.ViewOnly, DateTimeOffset.UtcNow));

        Assert.Equal(Role.OrgAdmin, path.AgencyRole);
    }

    [Fact]
    public void A_snapshot_restores_to_the_same_account()
    {
        var account = NewAccount(out _);
        Assert.True(account.AddMember(Person("usr-b", Role.ViewOnly)).Succeeded);
        account.ApplyConnection(ActiveConnectionTo(account, "acc-agency"));
        account.Archive(At);

        var restored = Account.Restore(account.ToSnapshot());

        Assert.Equal(account.Id, restored.Id);
        Assert.Equal(account.Name, restored.Name);
        Assert.Equal(AccountStatus.Archived, restored.Status);
        Assert.True(restored.IsArchived);
        Assert.Equal(At, restored.ArchivedAt);
        Assert.Equal(account.Members, restored.Members);
        Assert.Equal(account.Grants, restored.Grants);
        Assert.Equal(account.ConnectionDirection, restored.ConnectionDirection);
    }

    private static Account NewAccount(out string adminId)
    {
        adminId = "usr-admin";
        return Account.Create(Ids.NewAccountId(), Ids.NewOrganisationId(), "Acme", AccountKind.Client, Person(adminId, Role.OrgAdmin), At);
    }

    private static Connection RequestTo(Account client, string agencyAccountId, AgencyUserSelection? users = null, IReadOnlySet<PermissionAction>? permissions = null) =>
        Connection.Request(Ids.NewConnectionId(client.Id), agencyAccountId, client.Id, ConnectionSide.Agency, "usr-agency-admin", At, users, permissions, null);

    private static Connection ActiveConnectionTo(Account client, string agencyAccountId, AgencyUserSelection? users = null, IReadOnlySet<PermissionAction>? permissions = null)
    {
        var connection = RequestTo(client, agencyAccountId, users, permissions);
        Assert.True(connection.Accept(ConnectionSide.Client, At, null, null).Succeeded);
        return connection;
    }

    private static Member Person(string userId, Role role) => new(userId, $"{userId}@example.test", userId, role);
}
