using System.Text.Json.Serialization;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;

namespace ConnectedAccounts.Functions.Outbox;

/// <summary>
/// Messages that keep the index copies (a user's memberships for the account switcher, an agency's copy of its
/// connections) in step with the canonical rows. Each carries the version it describes, so a repeated or
/// late delivery cannot move an index backwards.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(MembershipChanged), "membershipChanged")]
[JsonDerivedType(typeof(ConnectionChanged), "connectionChanged")]
[JsonDerivedType(typeof(ActivityCopied), "activityCopied")]
public abstract record ProjectionMessage
{
    public const string QueueName = "projections";
}

/// <param name="Role">Null when the user is no longer a member.</param>
public sealed record MembershipChanged(string AccountId, string AccountName, string UserId, Role? Role, long Version) : ProjectionMessage;

public sealed record ConnectionChanged(ConnectionSnapshot Connection) : ProjectionMessage;

/// <summary>An entry about a connection, copied to the agency's trail (its canonical row is on the client's); entries never change, so a repeat writes the same row.</summary>
public sealed record ActivityCopied(string AccountId, Activity.ActivityEntry Entry) : ProjectionMessage;
