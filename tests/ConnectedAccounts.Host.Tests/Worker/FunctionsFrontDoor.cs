using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace ConnectedAccounts.Host.Tests.Worker;

/// <summary>
/// The Functions host's HTTP front end as far as a test needs it: a request goes to the HTTP function whose trigger
/// route (host.json's routePrefix is empty) and methods match, with its route values, through
/// <see cref="FakeFunctionsHost.InvokeHttpAsync"/>; no match is the host's 404. Every invocation's outcome is kept.
/// </summary>
public sealed class FunctionsFrontDoor : HttpMessageHandler
{
    private readonly FakeFunctionsHost _host;
    private readonly List<(string Function, TemplateMatcher Route, string[] Methods)> _routes;

    public FunctionsFrontDoor(FakeFunctionsHost host)
    {
        _host = host;
        _routes = host.Functions.Where(f => f.TriggerType == "httpTrigger")
            .Select(f => (f.Name, Trigger: f.RawBindings.Select(b => JsonNode.Parse(b)!).Single(b => (string?)b["type"] == "httpTrigger")))
            .Select(f => (Function: f.Name, Template: TemplateParser.Parse((string)f.Trigger["route"]!), Methods: f.Trigger["methods"]!.AsArray().Select(m => ((string)m!).ToUpperInvariant()).ToArray()))
            // As ASP.NET Core orders them: literal segments before parameters.
            .OrderBy(r => r.Template.Parameters.Count)
            .Select(r => (r.Function, new TemplateMatcher(r.Template, []), r.Methods))
            .ToList();
    }

    public ConcurrentQueue<(string Function, InvocationOutcome Outcome)> Invocations { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        foreach (var (function, route, methods) in _routes)
        {
            var values = new RouteValueDictionary();
            if (!methods.Contains(request.Method.Method) || !route.TryMatch(uri.AbsolutePath, values))
            {
                continue;
            }

            using var forwarded = new HttpRequestMessage(request.Method, new Uri(uri.PathAndQuery.TrimStart('/'), UriKind.Relative)) { Content = request.Content };
            foreach (var (name, value) in request.Headers)
            {
                forwarded.Headers.TryAddWithoutValidation(name, value);
            }

            var invocation = await _host.InvokeHttpAsync(function, forwarded, values.ToDictionary(v => v.Key, v => v.Value?.ToString() ?? ""), cancellationToken);
            Invocations.Enqueue((function, invocation.Outcome));
            invocation.Response.RequestMessage = request;
            return invocation.Response;
        }

        return new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request };
    }
}
