using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ConnectedAccounts.Api.Tests.Infrastructure;

/// <summary>
/// The program on a <see cref="FakeTimeProvider"/>: time moves only when a test says so, and the queues and timers run
/// only when a test runs them. A timer the app ran itself wakes when <c>Advance</c> crosses its schedule and races the
/// test's own run of the same job: in a run of 2026-12-04 the hourly idempotency sweep fell inside a test's last
/// minute, and the test's sweep found nothing left to delete (reproduced by starting the clock at hh:19:30).
/// </summary>
public class ClockedApiFactory : ApiFactory
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override bool RunBackgroundJobs => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>A client whose token outlives any clock move a test makes (the token check may read the same clock).</summary>
    public HttpClient Signed(TestUser user)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(user, DateTimeOffset.UtcNow.AddYears(2)));
        return client;
    }
}
