using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;

namespace ConnectedAccounts.Domain.Accounts;

public enum AccountKind
{
    Agency,
    Client,
}

public enum AccountStatus
{
    Active,
    Archived,
}

/// <summary>Which side of a connection an account takes: an agency requests access, a client grants it.</summary>
public enum ConnectionDirection
{
    CanRequestAccess,
    CanGrantAccess,
}

/// <param name="Actions">When set, the member may do only these of the role's actions (a narrower invitation).</param>
public sealed record Member(string UserId, string Email, string Name, Role Role, IReadOnlyList<PermissionAction>? Actions = null);

/// <summary>
/// The access an active connection gives, kept on the client account's row and changed in the same batch as the
/// canonical connection row, so one point read of the client account answers "who may act here".
/// </summary>
public sealed record ConnectionGrant(
    string ConnectionId,
    string AgencyAccountId,
    AgencyUserSelection AgencyUsers,
    IReadOnlyList<PermissionAction> Permissions,
    IReadOnlyList<string> AccountManagerIds,
    DateTimeOffset? ExpiresAt = null)
{
    public static ConnectionGrant From(Connection c) =>
        new(c.Id, c.AgencyAccountId, c.AgencyUsers, c.Permissions.Order().ToArray(), c.AccountManagerIds, c.ExpiresAt);

    /// <summary>A grant gives access until its connection's end date, to the tick, whether or not a job has run since.</summary>
    public bool IsLiveAt(DateTimeOffset now) => ExpiresAt is not { } end || now < end;

    /// <summary>How an agency user of <paramref name="agencyRole"/> reaches the client through this grant.</summary>
    public AccessPath.ViaConnection PathFor(string userId, Role agencyRole, DateTimeOffset now) =>
        new(agencyRole, IsLiveAt(now), Permissions.ToHashSet(), AgencyUsers.Includes(userId), AccountManagerIds.Contains(userId, StringComparer.Ordinal), AgencyAccountId);
}

/// <summary>
/// An account with its members and the grants of its active connections as a client: everything an access
/// decision needs about the account itself.
/// </summary>
public sealed class Account
{
    public const int MaxMembers = 1000;
    public const int MaxNameLength = 200;

    private readonly List<Member> _members;
    private readonly List<ConnectionGrant> _grants;

    private Account(AccountSnapshot s)
    {
        Id = s.Id;
        OrganisationId = s.OrganisationId;
        Kind = s.Kind;
        CreatedByAccountId = s.CreatedByAccountId;
        CreatedAt = s.CreatedAt;
        Name = s.Name;
        Status = s.Status;
        ConnectionDirection = s.ConnectionDirection;
        ArchivedAt = s.ArchivedAt;
        _members = [.. s.Members];
        _grants = [.. s.Grants];
    }

    public string Id { get; }

    public string OrganisationId { get; }

    public AccountKind Kind { get; }

    /// <summary>The agency account that created this client account, if one did.</summary>
    public string? CreatedByAccountId { get; }

    public DateTimeOffset CreatedAt { get; }

    public string Name { get; private set; }

    public AccountStatus Status { get; private set; }

    public ConnectionDirection ConnectionDirection { get; private set; }

    public IReadOnlyList<Member> Members => _members;

    public IReadOnlyList<ConnectionGrant> Grants => _grants;

    public bool IsArchived => Status == AccountStatus.Archived;

    /// <summary>When it was archived: from then on all its reports count as archived, whatever the worker has reached.</summary>
    public DateTimeOffset? ArchivedAt { get; private set; }

    public static ConnectionDirection DefaultDirection(AccountKind kind) =>
        kind == AccountKind.Agency ? ConnectionDirection.CanRequestAccess : ConnectionDirection.CanGrantAccess;

    /// <summary>A new account in a new organisation, with its creator as orgAdmin.</summary>
    public static Account Create(string id, string organisationId, string name, AccountKind kind, Member? creator, DateTimeOffset at, string? createdByAccountId = null)
    {
        var account = new Account(new AccountSnapshot(
            id, organisationId, name, kind, AccountStatus.Active, DefaultDirection(kind), createdByAccountId, at, [], []));
        if (creator is not null)
        {
            account._members.Add(creator with { Role = Role.OrgAdmin });
        }

        return account;
    }

    public static Account Restore(AccountSnapshot snapshot) => new(snapshot);

    public AccountSnapshot ToSnapshot() =>
        new(Id, OrganisationId, Name, Kind, Status, ConnectionDirection, CreatedByAccountId, CreatedAt, [.. _members], [.. _grants], ArchivedAt);

    public static DomainError? ValidateName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? DomainError.Invalid("name-required", "A name is required.")
        : name.Length > MaxNameLength ? DomainError.Invalid("name-too-long", $"A name has at most {MaxNameLength} characters.")
        : name.Any(char.IsControl) ? DomainError.Invalid("name-invalid", "A name cannot contain control characters.")
        : null;

    public Member? MemberOf(string userId) => _members.Find(m => m.UserId == userId);

    public Role? RoleOf(string userId) => MemberOf(userId)?.Role;

    public ConnectionSide Side => ConnectionDirection == ConnectionDirection.CanRequestAccess ? ConnectionSide.Agency : ConnectionSide.Client;

    public Outcome Rename(string name)
    {
        if (ValidateName(name) is { } error)
        {
            return error;
        }

        Name = name.Trim();
        return Outcome.Ok;
    }

    /// <param name="hasOpenConnections">Whether the account has a pending or active connection, on either side.</param>
    public Outcome ChangeDirection(ConnectionDirection direction, bool hasOpenConnections)
    {
        if (direction != ConnectionDirection && (hasOpenConnections || _grants.Count > 0))
        {
            return DomainError.Conflict("account-has-connections", "The direction cannot change while the account has pending or active connections.");
        }

        ConnectionDirection = direction;
        return Outcome.Ok;
    }

    /// <summary>Adds a member, or changes the role of one who is already there.</summary>
    public Outcome AddMember(Member member)
    {
        var existing = _members.FindIndex(m => m.UserId == member.UserId);
        if (existing >= 0)
        {
            return ChangeRole(member.UserId, member.Role);
        }

        if (_members.Count >= MaxMembers)
        {
            return DomainError.Conflict("account-members-full", $"An account has at most {MaxMembers} members.");
        }

        _members.Add(member);
        return Outcome.Ok;
    }

    public Outcome ChangeRole(string userId, Role role)
    {
        var index = _members.FindIndex(m => m.UserId == userId);
        if (index < 0)
        {
            return DomainError.NotFound("member-not-found", "No such member.");
        }

        if (_members[index].Role == Role.OrgAdmin && role != Role.OrgAdmin && IsLastOrgAdmin(userId))
        {
            return DomainError.Conflict("last-org-admin", "The last orgAdmin cannot be demoted; make someone else orgAdmin first.");
        }

        _members[index] = _members[index] with { Role = role };
        return Outcome.Ok;
    }

    public Outcome RemoveMember(string userId)
    {
        var member = MemberOf(userId);
        if (member is null)
        {
            return DomainError.NotFound("member-not-found", "No such member.");
        }

        if (member.Role == Role.OrgAdmin && IsLastOrgAdmin(userId))
        {
            return DomainError.Conflict("last-org-admin", "The last orgAdmin cannot be removed; make someone else orgAdmin first.");
        }

        _members.Remove(member);
        return Outcome.Ok;
    }

    /// <summary>
    /// Keeps the grant of a connection in step with it: an active connection grants what it says; once it is
    /// disconnected, an account the agency created keeps only an archive grant (read and export its archived
    /// reports, for the agency users who could before); any other account keeps nothing.
    /// </summary>
    public void ApplyConnection(Connection connection)
    {
        var previous = _grants.Find(g => g.ConnectionId == connection.Id);
        _grants.RemoveAll(g => g.ConnectionId == connection.Id);
        if (connection.ClientAccountId != Id)
        {
            return;
        }

        if (connection.IsActive)
        {
            _grants.Add(ConnectionGrant.From(connection));
        }
        else if (previous is not null && connection.State is ConnectionState.Disconnecting or ConnectionState.Disconnected or ConnectionState.Expired && CreatedByAccountId == connection.AgencyAccountId)
        {
            _grants.Add(previous with { Permissions = previous.Permissions.Where(ArchiveActions.Contains).ToArray(), ExpiresAt = null });
        }
    }

    /// <summary>What an archived account still allows: its reports stay readable and exportable.</summary>
    public static IReadOnlySet<PermissionAction> ArchiveActions { get; } = new HashSet<PermissionAction> { PermissionAction.ReportsRead, PermissionAction.ReportsExport };

    /// <summary>An archived account can never be active again.</summary>
    public void Archive(DateTimeOffset at)
    {
        Status = AccountStatus.Archived;
        ArchivedAt ??= at;
    }

    /// <summary>The organisation is removed: every membership goes. Returns the members removed.</summary>
    public IReadOnlyList<Member> RemoveOrganisation()
    {
        var removed = _members.ToList();
        _members.Clear();
        return removed;
    }

    /// <summary>
    /// How the user reaches this account: as a member, or through the grant of an active connection whose agency
    /// the user belongs to (<paramref name="agencyRole"/> answers from the agency account's own row), until the
    /// grant's end date (<paramref name="now"/> is the request's time).
    /// </summary>
    public AccessPath AccessFor(string userId, Func<ConnectionGrant, Role?> agencyRole, DateTimeOffset now)
    {
        if (MemberOf(userId) is { } member)
        {
            return new AccessPath.Member(member.Role, member.Actions?.ToHashSet());
        }

        AccessPath best = new AccessPath.None();
        var bestCount = 0;
        foreach (var grant in _grants.Where(g => g.AgencyUsers.Includes(userId)))
        {
            if (agencyRole(grant) is not { } agency)
            {
                continue;
            }

            var path = grant.PathFor(userId, agency, now);
            var count = AccessDecision.EffectiveActions(path).Count;
            if (count > bestCount)
            {
                (best, bestCount) = (path, count);
            }
        }

        return best;
    }

    private bool IsLastOrgAdmin(string userId) => !_members.Any(m => m.Role == Role.OrgAdmin && m.UserId != userId);
}

public sealed record AccountSnapshot(
    string Id,
    string OrganisationId,
    string Name,
    AccountKind Kind,
    AccountStatus Status,
    ConnectionDirection ConnectionDirection,
    string? CreatedByAccountId,
    DateTimeOffset CreatedAt,
    IReadOnlyList<Member> Members,
    IReadOnlyList<ConnectionGrant> Grants,
    DateTimeOffset? ArchivedAt = null);
