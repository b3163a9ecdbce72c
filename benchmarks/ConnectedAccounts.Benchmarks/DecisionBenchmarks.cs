using BenchmarkDotNet.Attributes;
using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;

namespace ConnectedAccounts.Benchmarks;

/// <summary>
/// The access decision as a request makes it: from the client account's row (members and grants) and the
/// agency user's role, to the set of effective actions. The baseline is the bare matrix lookup.
/// </summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private Account _client = null!;
    private readonly Func<ConnectionGrant, Role?> _agencyRole = _ => Role.RegularUser;

    [Params(10, 500)]
    public int Members { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UnixEpoch;
        _client = Account.Create("accclient", "orgclient", "Client", AccountKind.Client, new Member("owner", "o@x.test", "Owner", Role.OrgAdmin), now);
        for (var i = 0; i < Members - 1; i++)
        {
            _client.AddMember(new Member($"member{i:D4}", $"m{i}@x.test", "M", Role.RegularUser));
        }

        var connection = Connection.Request("con1.accclient", "accagency", "accclient", ConnectionSide.Agency, "owner", now, AgencyUserSelection.Selected(["agencyuser", "other"]), null, null);
        connection.Accept(ConnectionSide.Client, now, null, null);
        _client.ApplyConnection(connection);
    }

    [Benchmark(Baseline = true)]
    public bool MatrixLookup() => PermissionMatrix.Allows(Role.RegularUser, PermissionAction.ReportsRead);

    [Benchmark]
    public bool MemberDecision() => AccessDecision.Allows(_client.AccessFor($"member{Members / 2 - 1:D4}", _agencyRole, DateTimeOffset.UnixEpoch), PermissionAction.ReportsRead);

    [Benchmark]
    public bool AgencyUserDecision() => AccessDecision.Allows(_client.AccessFor("agencyuser", _agencyRole, DateTimeOffset.UnixEpoch), PermissionAction.ReportsRead);

    [Benchmark]
    public bool StrangerDecision() => AccessDecision.Allows(_client.AccessFor("stranger", _agencyRole, DateTimeOffset.UnixEpoch), PermissionAction.ReportsRead);
}
