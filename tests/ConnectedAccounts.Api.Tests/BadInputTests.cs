using System.Net;
using System.Text;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

public sealed class BadInputTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string TooLongName = new('n', 201);

    public static TheoryData<string, string> BadAccountBodies => new()
    {
        { "{}", "validation" },
        { "{\"kind\":\"agency\"}", "validation" },
        { "{\"name\":\"x\"}", "validation" },
        { "{\"name\":123,\"kind\":\"agency\"}", "malformed-request" },
        { "{\"name\":\"x\",\"kind\":[\"agency\"]}", "malformed-request" },
        { "{\"name\":\"x\",\"kind\":\"partner\"}", "validation" },
        { "{\"name\":\"   \",\"kind\":\"agency\"}", "validation" },
        { $"{{\"name\":\"{new string('n', 201)}\",\"kind\":\"agency\"}}", "validation" },
        { "{\"name\":\"a\\u0000b\",\"kind\":\"agency\"}", "validation" },
        { "{\"name\":\"a\\tb\",\"kind\":\"agency\"}", "validation" },
        { "{\"name\":\"a\\nb\",\"kind\":\"agency\"}", "validation" },
        { "{\"name\":\"x\",\"kind\":\"agency\"", "malformed-request" },
        { "[]", "malformed-request" },
        { "null", "malformed-request" },
    };

    [Theory]
    [MemberData(nameof(BadAccountBodies))]
    public async Task A_bad_account_body_is_refused_and_creates_nothing(string body, string code)
    {
        var user = TestUser.New("alice");
        var alice = factory.ClientFor(user);

        var problem = await alice.PostRawAsync("/api/accounts", body).ExpectProblemAsync(HttpStatusCode.BadRequest, code);

        if (code == "validation")
        {
            Assert.NotEmpty(problem["errors"]!.AsObject());
        }

        await factory.DrainAsync();
        Assert.Empty((await alice.GetJsonAsync("/api/accounts"))["items"]!.AsArray());
    }

    public static TheoryData<string> BadAccountPatches => new()
    {
        "{\"name\":123}",
        "{\"name\":\"\"}",
        $"{{\"name\":\"{new string('n', 201)}\"}}",
        "{\"name\":\"a\\u0001b\"}",
        "{\"name\":\"a\\tb\"}",
        "{\"connectionDirection\":\"sideways\"}",
        "{\"connectionDirection\":true}",
        "{\"name\":",
    };

    [Theory]
    [MemberData(nameof(BadAccountPatches))]
    public async Task A_bad_account_patch_is_refused_and_changes_nothing(string body)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("agency", "Original");
        var etag = await alice.ETagOfAsync($"/api/accounts/{id}");

        var response = await alice.SendJsonAsync(HttpMethod.Patch, $"/api/accounts/{id}", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var after = await alice.GetAsync($"/api/accounts/{id}");
        var account = await Task.FromResult(after).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Original", (string?)account["name"]);
        Assert.Equal("canRequestAccess", (string?)account["connectionDirection"]);
        Assert.Equal(etag, after.Headers.ETag?.ToString());
    }

    [Theory]
    [InlineData("{\"role\":\"superuser\"}", "validation")]
    [InlineData("{\"role\":\"OrgAdmin\"}", "validation")]
    [InlineData("{}", "validation")]
    [InlineData("{\"role\":3}", "malformed-request")]
    public async Task A_bad_role_change_is_refused_and_changes_nothing(string body, string code)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("agency");
        var (bobUser, _) = await factory.NewMemberAsync(id, "regularUser");

        await alice.SendJsonAsync(HttpMethod.Patch, $"/api/accounts/{id}/members/{bobUser.Id}", body).ExpectProblemAsync(HttpStatusCode.BadRequest, code);

        var roles = (await alice.GetJsonAsync($"/api/accounts/{id}/members"))["items"]!.AsArray().ToDictionary(m => (string)m!["userId"]!, m => (string)m!["role"]!);
        Assert.Equal("regularUser", roles[bobUser.Id]);
    }

    public static TheoryData<string, string> BadConnectionRequests => new()
    {
        { "{}", "validation" },
        { "{\"targetAccountId\":\"TARGET\",\"targetEmail\":\"a@b.test\"}", "validation" },
        { "{\"targetAccountId\":\"Not An Id!\"}", "validation" },
        { "{\"targetAccountId\":42}", "malformed-request" },
        { "{\"targetAccountId\":\"TARGET\",\"permissions\":[\"reports.fly\"]}", "validation" },
        { "{\"targetAccountId\":\"TARGET\",\"permissions\":[\"connections.accept\"]}", "validation" },
        { "{\"targetAccountId\":\"TARGET\",\"permissions\":\"reports.read\"}", "malformed-request" },
        { "{\"targetAccountId\":\"TARGET\",\"agencyUsers\":{}}", "validation" },
        { "{\"targetAccountId\":\"TARGET\",\"agencyUsers\":{\"all\":true,\"userIds\":[\"u\"]}}", "validation" },
        { "{\"targetAccountId\":\"TARGET\",\"agencyUsers\":{\"userIds\":[\"\"]}}", "validation" },
        { "{\"targetAccountId\":\"TARGET\",\"agencyUsers\":{\"all\":\"yes\"}}", "malformed-request" },
        { $"{{\"targetAccountId\":\"TARGET\",\"message\":\"{new string('m', 2001)}\"}}", "validation" },
        { "{\"targetAccountId\":\"TARGET\",\"message\":\"hi\\u0007\"}", "validation" },
        { "{\"targetEmail\":\"not-an-email\"}", "validation" },
    };

    [Theory]
    [MemberData(nameof(BadConnectionRequests))]
    public async Task A_bad_connection_request_is_refused_and_creates_nothing(string template, string code)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");

        await alice.PostRawAsync($"/api/accounts/{agencyId}/connections", template.Replace("TARGET", clientId, StringComparison.Ordinal))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, code);

        Assert.Empty((await carol.GetJsonAsync($"/api/accounts/{clientId}/connections"))["items"]!.AsArray());
        await alice.GetAsync($"/api/accounts/{clientId}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Theory]
    [InlineData("{\"permissions\":[\"bogus\"]}", "validation")]
    [InlineData("{\"permissions\":[\"connections.disconnect\"]}", "validation")]
    [InlineData("{\"agencyUsers\":{\"all\":false}}", "validation")]
    [InlineData("{\"permissions\":{}}", "malformed-request")]
    public async Task A_bad_accept_body_leaves_the_connection_pending(string body, string code)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var id = (string)(await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created))["id"]!;

        await carol.PostRawAsync($"/api/connections/{id}/accept", body).ExpectProblemAsync(HttpStatusCode.BadRequest, code);

        Assert.Equal("pending", (string?)(await carol.GetJsonAsync($"/api/connections/{id}"))["state"]);
        await alice.GetAsync($"/api/accounts/{clientId}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Theory]
    [InlineData("{}", "validation")]
    [InlineData("{\"all\":false}", "validation")]
    [InlineData("{\"userIds\":\"u\"}", "malformed-request")]
    [InlineData("{\"userIds\":[\"a\\u0000\"]}", "validation")]
    public async Task A_bad_agency_users_body_changes_nothing(string body, string code)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (_, _, connectionId) = await TestApi.ConnectAsync(alice, carol);
        var etag = await alice.ETagOfAsync($"/api/connections/{connectionId}");

        await alice.SendJsonAsync(HttpMethod.Put, $"/api/connections/{connectionId}/agency-users", body).ExpectProblemAsync(HttpStatusCode.BadRequest, code);

        Assert.Equal(etag, await alice.ETagOfAsync($"/api/connections/{connectionId}"));
    }

    [Theory]
    [InlineData("{\"email\":\"x@x.test\"}", "validation")]
    [InlineData("{\"name\":\"X\"}", "validation")]
    [InlineData("{\"name\":\"X\",\"email\":\"nope\"}", "validation")]
    [InlineData("{\"name\":\"X\",\"email\":[\"x@x.test\"]}", "malformed-request")]
    [InlineData("{\"name\":\"X\",\"email\":\"x@x.test\",\"agencyUsers\":{}}", "validation")]
    public async Task A_bad_client_body_creates_no_client(string body, string code)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");

        await alice.PostRawAsync($"/api/accounts/{agencyId}/clients", body).ExpectProblemAsync(HttpStatusCode.BadRequest, code);

        await factory.DrainAsync();
        Assert.Equal([agencyId], (await alice.GetJsonAsync("/api/accounts")).Ids());
    }

    [Theory]
    [InlineData("{}", "validation")]
    [InlineData("{\"name\":123}", "malformed-request")]
    [InlineData("{\"name\":\"ok\",\"configuration\":{\"a\":1}}", "malformed-request")]
    [InlineData("{\"name\":\"a\\u001bb\"}", "validation")]
    [InlineData("{\"name\":\"NAME_TOO_LONG\"}", "validation")]
    [InlineData("{\"name\":\"ok\",\"configuration\":\"CONFIG_TOO_LONG\"}", "validation")]
    public async Task A_bad_report_body_creates_no_report(string body, string code)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");

        await alice.PostRawAsync($"/api/accounts/{id}/reports", Expand(body)).ExpectProblemAsync(HttpStatusCode.BadRequest, code);

        Assert.Empty((await alice.GetJsonAsync($"/api/accounts/{id}/reports"))["items"]!.AsArray());
    }

    [Theory]
    [InlineData("{\"name\":\"\"}", "validation")]
    [InlineData("{\"name\":false}", "malformed-request")]
    [InlineData("{\"configuration\":\"CONFIG_TOO_LONG\"}", "validation")]
    public async Task A_bad_report_patch_changes_nothing(string body, string code)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var report = await alice.PostJsonAsync($"/api/accounts/{id}/reports", new { name = "Q1", configuration = "c" }).ExpectAsync(HttpStatusCode.Created);

        await alice.SendJsonAsync(HttpMethod.Patch, $"/api/accounts/{id}/reports/{report["id"]}", Expand(body)).ExpectProblemAsync(HttpStatusCode.BadRequest, code);

        Assert.Equal(report.ToJsonString(), (await alice.GetJsonAsync($"/api/accounts/{id}/reports/{report["id"]}")).ToJsonString());
    }

    [Theory]
    [InlineData("{}", "validation")]
    [InlineData("{\"sharedWithClient\":\"yes\"}", "malformed-request")]
    public async Task A_bad_sharing_body_changes_nothing(string body, string code)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = (string)(await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "C", email = "c@c.test" }).ExpectAsync(HttpStatusCode.Created))["account"]!["id"]!;
        var report = await alice.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q1" }).ExpectAsync(HttpStatusCode.Created);

        await alice.SendJsonAsync(HttpMethod.Put, $"/api/accounts/{clientId}/reports/{report["id"]}/sharing", body).ExpectProblemAsync(HttpStatusCode.BadRequest, code);

        Assert.False((bool?)(await alice.GetJsonAsync($"/api/accounts/{clientId}/reports/{report["id"]}"))["sharedWithClient"]);
    }

    [Theory]
    [InlineData("{\"data\":\"x\"}", "validation")]
    [InlineData("{\"name\":[]}", "malformed-request")]
    [InlineData("{\"name\":\"ok\",\"data\":\"DATA_TOO_LONG\"}", "validation")]
    [InlineData("{\"name\":\"NAME_TOO_LONG\"}", "validation")]
    public async Task A_bad_item_body_creates_no_item(string body, string code)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");

        await alice.PostRawAsync($"/api/accounts/{id}/items", Expand(body)).ExpectProblemAsync(HttpStatusCode.BadRequest, code);

        Assert.Empty((await alice.GetJsonAsync($"/api/accounts/{id}/items"))["items"]!.AsArray());
    }

    [Theory]
    [InlineData("{\"name\":\"   \"}", "validation")]
    [InlineData("{\"data\":5}", "malformed-request")]
    [InlineData("{\"data\":\"DATA_TOO_LONG\"}", "validation")]
    public async Task A_bad_item_patch_changes_nothing(string body, string code)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var item = await alice.PostJsonAsync($"/api/accounts/{id}/items", new { name = "K", data = "d" }).ExpectAsync(HttpStatusCode.Created);

        await alice.SendJsonAsync(HttpMethod.Patch, $"/api/accounts/{id}/items/{item["id"]}", Expand(body)).ExpectProblemAsync(HttpStatusCode.BadRequest, code);

        Assert.Equal(item.ToJsonString(), (await alice.GetJsonAsync($"/api/accounts/{id}/items/{item["id"]}")).ToJsonString());
    }

    [Theory]
    [InlineData("{}", "validation")]
    [InlineData("{\"name\":\"F\",\"mappedClientAccountIds\":\"acc\"}", "malformed-request")]
    [InlineData("{\"name\":\"F\",\"mappedClientAccountIds\":[\"Not An Id\"]}", "validation")]
    [InlineData("{\"name\":\"F\",\"mappedClientAccountIds\":[1]}", "malformed-request")]
    public async Task A_bad_integration_body_creates_no_integration(string body, string code)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("agency");

        await alice.PostRawAsync($"/api/accounts/{id}/integrations", body).ExpectProblemAsync(HttpStatusCode.BadRequest, code);

        Assert.Empty((await alice.GetJsonAsync($"/api/accounts/{id}/integrations"))["items"]!.AsArray());
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_refused_with_413_and_creates_nothing()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var body = $"{{\"name\":\"big\",\"configuration\":\"{new string('x', 70_000)}\"}}";

        await alice.PostRawAsync($"/api/accounts/{id}/reports", body).ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body-too-large");

        Assert.Empty((await alice.GetJsonAsync($"/api/accounts/{id}/reports"))["items"]!.AsArray());
    }

    [Fact]
    public async Task A_chunked_body_over_64_KiB_is_refused_with_413()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var bytes = Encoding.UTF8.GetBytes($"{{\"name\":\"big\",\"configuration\":\"{new string('x', 70_000)}\"}}");
        using var content = new StreamContent(new MemoryStream(bytes));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/accounts/{id}/reports") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        await alice.SendAsync(request).ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body-too-large");

        Assert.Empty((await alice.GetJsonAsync($"/api/accounts/{id}/reports"))["items"]!.AsArray());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        using var content = new StringContent("name=x&kind=agency", Encoding.UTF8, "application/x-www-form-urlencoded");

        await alice.PostAsync("/api/accounts", content).ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Theory]
    [InlineData("/api/accounts/NOT-AN-ID")]
    [InlineData("/api/accounts/acc%20x/reports")]
    [InlineData("/api/accounts/acc!x/permissions")]
    [InlineData("/api/connections/not-a-connection")]
    [InlineData("/api/connections/con.ACC")]
    public async Task Invalid_ids_in_routes_are_not_found(string url)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));

        await alice.GetAsync(url).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Invalid_resource_ids_on_an_own_account_are_not_found()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");

        await alice.GetAsync($"/api/accounts/{id}/reports/REP!").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await alice.GetAsync($"/api/accounts/{id}/items/{new string('i', 150)}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await alice.GetAsync($"/api/accounts/{id}/integrations/Int~x").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await alice.PatchJsonAsync($"/api/accounts/{id}/reports/REP!", new { name = "x" }).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Theory]
    [InlineData("reports?pageSize=0")]
    [InlineData("reports?pageSize=201")]
    [InlineData("items?pageSize=-1")]
    [InlineData("integrations?pageSize=1000")]
    [InlineData("members?pageSize=0")]
    [InlineData("connections?pageSize=201")]
    [InlineData("connections?state=sleeping")]
    [InlineData("connections?direction=sideways")]
    public async Task Out_of_range_query_values_are_validation_problems(string query)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");

        var problem = await alice.GetAsync($"/api/accounts/{id}/{query}").ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");

        Assert.NotEmpty(problem["errors"]!.AsObject());
    }

    [Theory]
    [InlineData("reports")]
    [InlineData("items")]
    [InlineData("integrations")]
    [InlineData("connections")]
    public async Task A_continuation_token_the_server_did_not_issue_is_a_bad_request(string list)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");

        await alice.GetAsync($"/api/accounts/{id}/{list}?continuationToken=not-a-token!").ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
    }

    [Theory]
    [InlineData("/api/accounts/{id}/members")]
    [InlineData("/api/accounts/{id}/invitations")]
    [InlineData("/api/me/invitations")]
    [InlineData("/api/accounts")]
    public async Task Every_in_memory_list_validates_its_page_size_and_token_like_the_others(string list)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var url = list.Replace("{id}", await alice.CreateAccountAsync("agency"), StringComparison.Ordinal);

        foreach (var query in new[] { "continuationToken=not-a-token!", "continuationToken=key.%2A%2A", "continuationToken=usr-zzz", "pageSize=0", "pageSize=201" })
        {
            var problem = await alice.GetAsync($"{url}?{query}").ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
            Assert.NotEmpty(problem["errors"]!.AsObject());
        }
    }

    [Fact]
    public async Task The_account_switcher_pages_like_every_other_list()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await alice.CreateAccountAsync(i % 2 == 0 ? "agency" : "client", $"Account {(char)('e' - i)}"));
        }

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await alice.GetJsonAsync("/api/accounts?pageSize=2" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)));
            Assert.True(page["items"]!.AsArray().Count <= 2);
            seen.AddRange(page.Ids());
            token = (string?)page["continuationToken"];
        }
        while (token is not null);

        // Named "Account e" … "Account a" in creation order, so name order is the reverse of it.
        Assert.Equal(Enumerable.Reverse(created), seen);
    }

    [Fact]
    public async Task A_non_numeric_page_size_is_a_bad_request()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");

        var response = await alice.GetAsync($"/api/accounts/{id}/reports?pageSize=ten");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static string Expand(string body) => body
        .Replace("NAME_TOO_LONG", new string('n', 201), StringComparison.Ordinal)
        .Replace("CONFIG_TOO_LONG", new string('c', 16_001), StringComparison.Ordinal)
        .Replace("DATA_TOO_LONG", new string('d', 16_001), StringComparison.Ordinal);
}
