namespace ConnectedAccounts.Benchmarks;

public static class BenchmarkArgs
{
    /// <summary>The value after <paramref name="name"/> on the command line, if given.</summary>
    public static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
