using ConnectedAccounts.Functions.Http;

namespace ConnectedAccounts.Functions.Resources;

public static class ResourceAccess
{
    public static Validation ListQuery(int? pageSize, string? continuationToken, out int size)
    {
        var validation = new Validation();
        size = Paging.PageSize(pageSize, validation) ?? 0;
        if (!Paging.ValidToken(continuationToken))
        {
            validation.Add("continuationToken", "Not a valid continuation token.");
        }

        return validation;
    }
}
