namespace ConnectedAccounts.Domain.Permissions;

/// <summary>
/// How a user relates to the account a request is about, as read from the canonical records: a direct member
/// with a role, an agency user reaching it through one connection, or neither.
/// </summary>
public abstract record AccessPath
{
    private AccessPath()
    {
    }

    /// <param name="Actions">A narrowing of the role's actions, when the member was invited with one.</param>
    public sealed record Member(Role Role, IReadOnlySet<PermissionAction>? Actions = null) : AccessPath;

    /// <param name="AgencyRole">The user's role on the agency account.</param>
    /// <param name="ConnectionActive">Only an active connection gives access; pending, disconnecting and ended ones give none.</param>
    /// <param name="ConnectionPermissions">The connection's narrowing of the matrix.</param>
    /// <param name="IsAgencyUser">Whether the connection's agency users include the user.</param>
    /// <param name="ManagesClient">Whether the user is one of this client's account managers on the connection.</param>
    /// <param name="AgencyAccountId">The agency whose connection this is: who the user acts for there.</param>
    public sealed record ViaConnection(
        Role AgencyRole,
        bool ConnectionActive,
        IReadOnlySet<PermissionAction> ConnectionPermissions,
        bool IsAgencyUser,
        bool ManagesClient,
        string? AgencyAccountId = null) : AccessPath;

    public sealed record None : AccessPath;
}

/// <summary>The decision function: the effective actions for one user on one account.</summary>
public static class AccessDecision
{
    private static readonly IReadOnlySet<PermissionAction> Nothing = new HashSet<PermissionAction>();

    public static IReadOnlySet<PermissionAction> EffectiveActions(AccessPath path) => path switch
    {
        AccessPath.Member m => m.Actions is null ? PermissionMatrix.ActionsOf(m.Role) : PermissionMatrix.ActionsOf(m.Role).Where(m.Actions.Contains).ToHashSet(),
        AccessPath.ViaConnection c => ViaConnection(c),
        _ => Nothing,
    };

    public static bool Allows(AccessPath path, PermissionAction action) => EffectiveActions(path).Contains(action);

    /// <summary>
    /// Whether someone holding <paramref name="held"/> may hand out, take away or change <paramref name="role"/>
    /// (narrowed to <paramref name="narrowedTo"/>, when given): nobody grants more than they hold, so only an orgAdmin
    /// deals in the orgAdmin role, and an agency user managing a client's team never hands out more than they hold there.
    /// The orgAdmin role counts whole even when narrowed: it holds on every account of the organisation.
    /// </summary>
    public static bool MayHandOut(IReadOnlySet<PermissionAction> held, Role role, IEnumerable<PermissionAction>? narrowedTo = null) =>
        (role == Role.OrgAdmin || narrowedTo is null ? PermissionMatrix.ActionsOf(role) : narrowedTo).All(held.Contains);

    /// <summary>Renaming an account or turning its direction is the organisation's decision: a member holding every action.</summary>
    public static bool MayConfigureAccount(AccessPath path) => path is AccessPath.Member && PermissionActions.All.All(EffectiveActions(path).Contains);

    /// <summary>
    /// Integrations have no read action of their own: a member reads them; an agency user reads a client's only where
    /// the connection lets them create and map integrations.
    /// </summary>
    public static bool MayReadIntegrations(AccessPath path) =>
        path is AccessPath.Member || EffectiveActions(path).Contains(PermissionAction.IntegrationsCreateAndMap);

    private static IReadOnlySet<PermissionAction> ViaConnection(AccessPath.ViaConnection c)
    {
        // An account manager works only on the clients they manage; everyone else needs only to be an agency user.
        if (!c.ConnectionActive || !c.IsAgencyUser || (PermissionMatrix.LimitedToManagedClients(c.AgencyRole) && !c.ManagesClient))
        {
            return Nothing;
        }

        var actions = new HashSet<PermissionAction>(PermissionMatrix.ActionsOf(c.AgencyRole));
        actions.IntersectWith(c.ConnectionPermissions);
        actions.IntersectWith(PermissionActions.Connectable);
        return actions;
    }
}
