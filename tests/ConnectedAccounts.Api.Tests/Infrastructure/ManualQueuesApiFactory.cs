namespace ConnectedAccounts.Api.Tests.Infrastructure;

/// <summary>The program with its queue pollers and timers off: tests hand each message to its handler.</summary>
public sealed class ManualQueuesApiFactory : ApiFactory
{
    protected override bool RunBackgroundJobs => false;
}
