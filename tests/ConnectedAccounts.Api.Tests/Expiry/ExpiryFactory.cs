using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Api.Tests.Invitations;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Storage.Tests.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Expiry;

/// <summary>
/// The program on a manual clock with the mailbox of <see cref="InvitationsFactory"/>, on SQLite; the expiry timer
/// and the disconnection worker run when a test says so.
/// </summary>
public class ExpiryFactory : InvitationsFactory
{
    /// <summary>One run of the <c>ConnectionExpiry</c> timer function, as the host's schedule would start it.</summary>
    public async Task<ExpiryRunResult> RunTimerAsync()
    {
        using var scope = Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ConnectionExpiry>().RunAsync(CancellationToken.None);
    }

    /// <summary>The disconnection worker (and the index projections), each message delivered <paramref name="deliveries"/> times; e-mails stay for the mailbox.</summary>
    public Task<int> RunDisconnectionsAsync(int deliveries = 1) => this.DrainAsync(deliveries, sendEmail: false);
}

/// <summary>The same on Azure Table and Queue Storage (Azurite).</summary>
public sealed class ExpiryOnAzureFactory : ExpiryFactory, IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Storage:Provider"] = "AzureStorage",
        ["Storage:ConnectionString"] = _azurite.ConnectionString,
    };

    public Task InitializeAsync() => _azurite.InitializeAsync();

    Task IAsyncLifetime.DisposeAsync() => _azurite.DisposeAsync();
}
