using Microsoft.AspNetCore.Hosting;

namespace ConnectedAccounts.Api.Tests.Infrastructure;

/// <summary>The program as a developer runs it: Development environment with <c>Auth:DevTokens=true</c>.</summary>
public sealed class DevelopmentApiFactory : ApiFactory
{
    protected override string EnvironmentName => "Development";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Auth:DevTokens", "true");
    }
}

/// <summary>Development with <c>Auth:DevTokens=false</c> (appsettings.Development.json switches them on).</summary>
public sealed class DevelopmentWithoutDevTokensApiFactory : ApiFactory
{
    protected override string EnvironmentName => "Development";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Auth:DevTokens", "false");
    }
}
