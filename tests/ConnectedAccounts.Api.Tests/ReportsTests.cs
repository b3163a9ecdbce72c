using System.Net;
using System.Text;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

public sealed class ReportsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Reports_are_created_read_changed_and_deleted()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var url = $"/api/accounts/{id}/reports";

        var response = await alice.PostJsonAsync(url, new { name = "Q4", configuration = "{\"chart\":\"bar\"}" });
        var created = await Task.FromResult(response).ExpectAsync(HttpStatusCode.Created);
        var reportId = (string)created["id"]!;
        Assert.Equal($"{url}/{reportId}", response.Headers.Location?.ToString());
        Assert.False((bool?)created["archived"]);
        Assert.False((bool?)created["sharedWithClient"]);

        var read = await alice.GetJsonAsync($"{url}/{reportId}");
        Assert.Equal(created.ToJsonString(), read.ToJsonString());
        var patched = await alice.PatchJsonAsync($"{url}/{reportId}", new { name = "Q4 final" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Q4 final", (string?)patched["name"]);
        Assert.Equal("{\"chart\":\"bar\"}", (string?)patched["configuration"]);
        Assert.Equal([reportId], (await alice.GetJsonAsync(url)).Ids());

        await alice.DeleteAsync($"{url}/{reportId}").ExpectAsync(HttpStatusCode.NoContent);
        await alice.GetAsync($"{url}/{reportId}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.Empty((await alice.GetJsonAsync(url))["items"]!.AsArray());
    }

    [Fact]
    public async Task A_listed_report_reads_as_it_does_alone_and_the_next_list_shows_a_change()
    {
        // Lists repeat the JSON of a report version read before; it must be the JSON of that very version.
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var url = $"/api/accounts/{id}/reports";
        var reportId = (string)(await alice.PostJsonAsync(url, new { name = "Q1" }).ExpectAsync(HttpStatusCode.Created))["id"]!;

        for (var round = 0; round < 2; round++)
        {
            var listed = Assert.Single((await alice.GetJsonAsync(url))["items"]!.AsArray());
            Assert.Equal((await alice.GetJsonAsync($"{url}/{reportId}")).ToJsonString(), listed!.ToJsonString());
        }

        await alice.PatchJsonAsync($"{url}/{reportId}", new { name = "Q1 final" }).ExpectAsync(HttpStatusCode.OK);

        var changed = Assert.Single((await alice.GetJsonAsync(url))["items"]!.AsArray());
        Assert.Equal("Q1 final", (string?)changed!["name"]);
        Assert.Equal((await alice.GetJsonAsync($"{url}/{reportId}")).ToJsonString(), changed.ToJsonString());
    }

    [Fact]
    public async Task Export_is_csv_and_defuses_formulas()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var report = await alice.PostJsonAsync($"/api/accounts/{id}/reports", new { name = "=HYPERLINK(\"http://evil\",\"x\")", configuration = "+1,@SUM(A1)" }).ExpectAsync(HttpStatusCode.Created);

        var response = await alice.GetAsync($"/api/accounts/{id}/reports/{report["id"]}/export");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).Split("\r\n");
        Assert.Equal("id,name,configuration,archived,createdAt,updatedAt", lines[0]);
        Assert.StartsWith($"{report["id"]},\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",\"'+1,@SUM(A1)\",false,", lines[1]);
    }

    [Theory]
    [InlineData("-2+3")]
    [InlineData("@cmd")]
    [InlineData("+A1")]
    public async Task Every_formula_prefix_is_escaped_in_the_export(string name)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var report = await alice.PostJsonAsync($"/api/accounts/{id}/reports", new { name }).ExpectAsync(HttpStatusCode.Created);

        var csv = await alice.GetStringAsync($"/api/accounts/{id}/reports/{report["id"]}/export");

        Assert.Contains($",'{name},", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewOnly_agency_user_reads_and_exports_but_does_not_create_or_change()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, _) = await TestApi.ConnectAsync(alice, carol);
        var (_, viewer) = await factory.NewMemberAsync(agencyId, "viewOnly");
        var reportId = (string)(await carol.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q1" }).ExpectAsync(HttpStatusCode.Created))["id"]!;

        await viewer.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);
        await viewer.GetAsync($"/api/accounts/{clientId}/reports/{reportId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/accounts/{clientId}/reports/{reportId}/export")).StatusCode);
        await viewer.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "nope" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await viewer.PatchJsonAsync($"/api/accounts/{clientId}/reports/{reportId}", new { name = "nope" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await viewer.DeleteAsync($"/api/accounts/{clientId}/reports/{reportId}").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var reports = await carol.GetJsonAsync($"/api/accounts/{clientId}/reports");
        Assert.Equal([reportId], reports.Ids());
        Assert.Equal("Q1", (string?)reports["items"]![0]!["name"]);
    }

    [Fact]
    public async Task A_regularUser_agency_user_creates_and_configures_reports()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, _) = await TestApi.ConnectAsync(alice, carol);
        var (_, bob) = await factory.NewMemberAsync(agencyId, "regularUser");

        var report = await bob.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "by agency" }).ExpectAsync(HttpStatusCode.Created);
        await bob.PatchJsonAsync($"/api/accounts/{clientId}/reports/{report["id"]}", new { configuration = "x" }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("x", (string?)(await carol.GetJsonAsync($"/api/accounts/{clientId}/reports/{report["id"]}"))["configuration"]);
    }

    [Fact]
    public async Task Archived_reports_are_listed_only_on_request_and_stay_readable()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var created = await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bikes", email = "owner@bikes.test" }).ExpectAsync(HttpStatusCode.Created);
        var clientId = (string)created["account"]!["id"]!;
        var reportId = (string)(await alice.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q1" }).ExpectAsync(HttpStatusCode.Created))["id"]!;

        await alice.PostAsync($"/api/connections/{created["connection"]!["id"]}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
        await factory.DrainAsync();

        Assert.Empty((await alice.GetJsonAsync($"/api/accounts/{clientId}/reports"))["items"]!.AsArray());
        var all = await alice.GetJsonAsync($"/api/accounts/{clientId}/reports?includeArchived=true");
        Assert.Equal([reportId], all.Ids());
        Assert.True((bool?)all["items"]![0]!["archived"]);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/api/accounts/{clientId}/reports/{reportId}/export")).StatusCode);
        await alice.PatchJsonAsync($"/api/accounts/{clientId}/reports/{reportId}", new { name = "x" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Reports_page_with_a_continuation_token()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        for (var i = 0; i < 5; i++)
        {
            await alice.PostJsonAsync($"/api/accounts/{id}/reports", new { name = "r" + i }).ExpectAsync(HttpStatusCode.Created);
        }

        var first = await alice.GetJsonAsync($"/api/accounts/{id}/reports?pageSize=3");
        var second = await alice.GetJsonAsync($"/api/accounts/{id}/reports?pageSize=3&continuationToken={Uri.EscapeDataString((string)first["continuationToken"]!)}");

        Assert.Equal(3, first["items"]!.AsArray().Count);
        Assert.Equal(2, second["items"]!.AsArray().Count);
        Assert.Null((string?)second["continuationToken"]);
        Assert.Equal(5, first.Ids().Concat(second.Ids()).Distinct().Count());
    }
}
