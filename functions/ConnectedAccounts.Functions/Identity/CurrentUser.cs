using System.Collections.Concurrent;
using System.Security.Claims;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Identity;

/// <summary>The signed-in user as the token says: <c>sub</c>, <c>email</c>, <c>name</c>.</summary>
public sealed record CurrentUser(string Id, string Email, string Name)
{
    public const int MaxIdLength = 200;

    public static CurrentUser? From(ClaimsPrincipal principal)
    {
        var id = principal.FindFirstValue("sub");
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength || id.Any(char.IsControl))
        {
            return null;
        }

        var email = principal.FindFirstValue("email") ?? principal.FindFirstValue("preferred_username") ?? "";
        return new CurrentUser(id, email.Trim(), principal.FindFirstValue("name") ?? email);
    }
}

/// <summary>
/// Records each user (id, e-mail, name) on their first authenticated call. The set of users already recorded by
/// this process is remembered so that steady traffic costs no storage request; this is not an access decision.
/// </summary>
public sealed class UserRecorder(ITableServiceClient tables)
{
    private const int MaxRemembered = 100_000;
    private readonly ConcurrentDictionary<string, CurrentUser> _recorded = new(StringComparer.Ordinal);

    public async Task RecordAsync(CurrentUser user, CancellationToken cancellationToken)
    {
        if (_recorded.TryGetValue(user.Id, out var known) && known == user)
        {
            return;
        }

        var entity = new TableEntity(Keys.UserPartition(user.Id), Keys.UserProfileRow)
        {
            ["UserId"] = user.Id,
            ["Email"] = user.Email,
            ["Name"] = user.Name,
        };
        await tables.GetTableClient(Keys.UsersTable).UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken);
        if (_recorded.Count >= MaxRemembered)
        {
            _recorded.Clear();
        }

        _recorded[user.Id] = user;
    }
}

public static class CurrentUserExtensions
{
    /// <summary>The user of an authenticated request; the route group's policy guarantees there is one.</summary>
    public static CurrentUser User(this HttpContext context) =>
        context.Items[typeof(CurrentUser)] as CurrentUser ?? throw new InvalidOperationException("No authenticated user on this request.");
}
