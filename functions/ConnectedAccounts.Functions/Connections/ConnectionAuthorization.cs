using System.Diagnostics.CodeAnalysis;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Connections;

/// <summary>A connection the caller may do the asked operation on, and the side they act for.</summary>
public sealed record AuthorizedConnection(LoadedConnection Loaded, ConnectionSide Side)
{
    public Connection Value => Loaded.Connection.Value;
}

/// <summary>Reads a connection and both accounts, and asks <see cref="ConnectionDecision"/> whether the caller may.</summary>
public sealed class ConnectionAuthorization(ConnectionStore connections)
{
    public async Task<ConnectionAuthorizationResult> AuthorizeAsync(
        HttpContext http,
        string connectionId,
        ConnectionOperation operation,
        CancellationToken ct,
        AgencyUserSelection? agencyUsers = null,
        IReadOnlyList<string>? accountManagerIds = null,
        IReadOnlySet<PermissionAction>? permissions = null,
        ExpiryRequest? expiry = null)
    {
        if (await connections.LoadAsync(connectionId, ct) is not { } loaded)
        {
            return new(null, Problems.NotFound("connection"));
        }

        var verdict = ConnectionDecision.Decide(loaded.Connection.Value, Caller(http.User().Id, loaded), operation, agencyUsers, accountManagerIds, permissions, expiry);
        return verdict.Error switch
        {
            null => new(new AuthorizedConnection(loaded, verdict.Side!.Value), null),
            { Kind: Domain.Common.ErrorKind.NotFound } => new(null, Problems.NotFound("connection")),
            var error => new(null, Problems.Of(error)),
        };
    }

    public static ConnectionCaller Caller(string userId, LoadedConnection loaded) =>
        new(userId, loaded.Agency.Value.RoleOf(userId), loaded.Client.Value.RoleOf(userId));
}

/// <summary>Either the authorized connection, or the problem to answer with.</summary>
public readonly record struct ConnectionAuthorizationResult(AuthorizedConnection? Connection, ProblemHttpResult? Problem)
{
    public bool Denied([NotNullWhen(true)] out ProblemHttpResult? problem, [NotNullWhen(false)] out AuthorizedConnection? connection)
    {
        (problem, connection) = (Problem, Connection);
        return problem is not null;
    }
}
