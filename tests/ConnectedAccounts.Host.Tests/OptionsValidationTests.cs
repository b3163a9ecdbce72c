namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// The generated options validators refuse what the data annotations forbid, and the start fails on it: the service
/// process, run as a developer runs it, exits instead of serving, and says which setting is wrong. (A process rather
/// than WebApplicationFactory: its deferred host may look at the app's services after a failed start disposed them.)
/// </summary>
public sealed class OptionsValidationTests : IDisposable
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("ca-options-");

    public void Dispose() => _data.Delete(recursive: true);

    [Theory]
    [InlineData("Queues:MaxDequeueCount", "0", "MaxDequeueCount")]
    [InlineData("Queues:VisibilityTimeout", "02:00:00", "VisibilityTimeout")]
    [InlineData("Invitations:Lifetime", "00:00:10", "Lifetime")]
    [InlineData("Invitations:MaxPerRecipientPerDay", "0", "MaxPerRecipientPerDay")]
    [InlineData("Storage:DataPath", "", "DataPath")]
    public async Task A_setting_outside_its_range_fails_the_start(string key, string value, string member)
    {
        var (exitCode, log) = await ServiceProcess.RunUntilExitAsync(_data.FullName, [$"--{key}={value}"]);

        Assert.NotEqual(0, exitCode);
        Assert.Matches($@"OptionsValidationException: (.*; )?{member}: ", log);
    }

    [Fact]
    public async Task A_timer_schedule_that_is_not_ncrontab_fails_the_start_and_names_the_timer()
    {
        var (exitCode, log) = await ServiceProcess.RunUntilExitAsync(_data.FullName, ["--Schedules:ActivitySweep=every night"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Timer 'ActivitySweep' (%Schedules:ActivitySweep%): 'every night' is not an NCRONTAB expression", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Started_outside_its_folder_the_program_says_where_it_looked_for_the_timers_settings()
    {
        var elsewhere = _data.CreateSubdirectory("elsewhere").FullName;

        var (exitCode, log) = await ServiceProcess.RunUntilExitAsync(_data.FullName, [], workingDirectory: elsewhere);

        Assert.NotEqual(0, exitCode);
        Assert.Matches(
            $@"the setting Schedules:\w+ is missing\. A standalone run reads it from appsettings\.json in its content root, {System.Text.RegularExpressions.Regex.Escape(elsewhere)}",
            log);
    }
}
