using Microsoft.AspNetCore.Hosting;

namespace ConnectedAccounts.Api.Tests.Infrastructure;

/// <summary>
/// The program with its queue pollers and timers off: tests hand each message to its handler. A failed delivery
/// is retried after 100 ms rather than the default 10 s.
/// </summary>
public sealed class ManualQueuesApiFactory : ApiFactory
{
    protected override bool RunBackgroundJobs => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Queues:VisibilityTimeout", "00:00:00.100");
    }
}
