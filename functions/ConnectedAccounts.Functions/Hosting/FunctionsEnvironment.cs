namespace ConnectedAccounts.Functions.Hosting;

/// <summary>
/// The environment the program runs as. ASP.NET Core reads <c>ASPNETCORE_ENVIRONMENT</c> and <c>DOTNET_ENVIRONMENT</c>;
/// the Functions host says <c>AZURE_FUNCTIONS_ENVIRONMENT</c> (Development under <c>func start</c> when
/// local.settings.json says so), which is used when neither of the first two is set.
/// </summary>
public static class FunctionsEnvironment
{
    public const string Variable = "AZURE_FUNCTIONS_ENVIRONMENT";

    public static WebApplicationOptions Options(string[] args) =>
        new() { Args = args, EnvironmentName = Name(Environment.GetEnvironmentVariable) };

    /// <summary>The host's environment name, or null to leave ASP.NET Core's own choice alone.</summary>
    public static string? Name(Func<string, string?> variable) =>
        variable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 } || variable("DOTNET_ENVIRONMENT") is { Length: > 0 }
            ? null
            : variable(Variable) is { Length: > 0 } name ? name : null;
}
