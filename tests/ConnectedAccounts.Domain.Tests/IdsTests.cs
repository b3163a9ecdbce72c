using System.Text.RegularExpressions;
using ConnectedAccounts.Domain.Common;

namespace ConnectedAccounts.Domain.Tests;

public partial class IdsTests
{
    public static TheoryData<string> Junk { get; } = new()
    {
        "",
        "con",
        "con.",
        ".acc",
        "x.y",
        "acc.y",
        "con.a/b",
        "con.A",
        "con.a b",
        "con/x.accabc",
        "con#x.accabc",
        "CON.accabc",
        "con." + new string('a', 101),
        "con" + new string('a', 120) + ".accabc",
    };

    [Fact]
    public void Ids_are_a_prefix_and_twenty_base32_characters()
    {
        Assert.Matches(AccountId(), Ids.NewAccountId());
        Assert.Matches(OrganisationId(), Ids.NewOrganisationId());
        Assert.True(Ids.IsWellFormed(Ids.NewAccountId()));
        Assert.True(Ids.IsWellFormed(Ids.New("x")));
    }

    [Fact]
    public void A_connection_id_carries_its_client_account_id()
    {
        var client = Ids.NewAccountId();

        var id = Ids.NewConnectionId(client);

        Assert.Matches(ConnectionIdPrefix(), id);
        Assert.EndsWith("." + client, id, StringComparison.Ordinal);
        Assert.True(Ids.IsWellFormed(id));
        Assert.Equal(client, Ids.ClientAccountIdOf(id));
    }

    [Fact]
    public void Ids_are_unique_over_many_draws()
    {
        const int draws = 20_000;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < draws; i++)
        {
            ids.Add(Ids.NewAccountId());
        }

        Assert.Equal(draws, ids.Count);
    }

    [Fact]
    public void Every_base32_character_turns_up()
    {
        var seen = string.Concat(Enumerable.Range(0, 500).Select(_ => Ids.NewAccountId()[3..])).ToHashSet();

        Assert.Equal("abcdefghijklmnopqrstuvwxyz234567".ToHashSet(), seen);
    }

    [Theory]
    [MemberData(nameof(Junk))]
    public void Junk_has_no_client_account_id(string junk) => Assert.Null(Ids.ClientAccountIdOf(junk));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ACC")]
    [InlineData("acc/1")]
    [InlineData("acc 1")]
    [InlineData("acc\u00e91")]
    [InlineData("acc?1")]
    public void A_string_with_other_characters_is_not_an_id(string? id) => Assert.False(Ids.IsWellFormed(id));

    [Fact]
    public void An_id_is_at_most_a_hundred_characters()
    {
        Assert.True(Ids.IsWellFormed(new string('a', 100)));
        Assert.False(Ids.IsWellFormed(new string('a', 101)));
    }

    [GeneratedRegex("^acc[a-z2-7]{20}$")]
    private static partial Regex AccountId();

    [GeneratedRegex("^org[a-z2-7]{20}$")]
    private static partial Regex OrganisationId();

    [GeneratedRegex("^con[a-z2-7]{20}\\.acc[a-z2-7]{20}$")]
    private static partial Regex ConnectionIdPrefix();
}
