using System.Text.Json.Nodes;
using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Invitations;
using ConnectedAccounts.Functions.Resources;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ConnectedAccounts.Functions.Http;

/// <summary>
/// What the generated OpenAPI document cannot see in the handlers' signatures: the bearer scheme, the problem
/// responses every operation can give, the ETag / If-Match / Idempotency-Key headers, the closed sets of values,
/// and which request fields may be left out.
/// </summary>
public static class OpenApiDescriptions
{
    private const string Bearer = "bearer";
    private const string Problem = "Problem";
    private const string ProblemJson = "application/problem+json";

    /// <summary>The wire values of each closed set, by the type and property that carry it.</summary>
    private static readonly Dictionary<(Type, string), string[]> Enums = new()
    {
        [(typeof(ConnectionResponse), "state")] = [.. Enum.GetValues<ConnectionState>().Select(ConnectionWire.Of)],
        [(typeof(ConnectionResponse), "initiatedBy")] = ["agency", "client"],
        [(typeof(AccountResponse), "kind")] = [.. Enum.GetValues<AccountKind>().Select(Wire.Of)],
        [(typeof(AccountResponse), "status")] = [.. Enum.GetValues<AccountStatus>().Select(Wire.Of)],
        [(typeof(AccountResponse), "connectionDirection")] = [.. Enum.GetValues<ConnectionDirection>().Select(Wire.Of)],
        [(typeof(SwitcherEntry), "kind")] = [.. Enum.GetValues<AccountKind>().Select(Wire.Of)],
        [(typeof(SwitcherEntry), "status")] = [.. Enum.GetValues<AccountStatus>().Select(Wire.Of)],
        [(typeof(SwitcherEntry), "role")] = [.. Enum.GetValues<Role>().Select(r => r.WireName())],
        [(typeof(SwitcherEntry), "access")] = ["member", "connected"],
        [(typeof(MemberResponse), "role")] = [.. Enum.GetValues<Role>().Select(r => r.WireName())],
        [(typeof(IntegrationResponse), "state")] = ["active", "paused"],
    };

    /// <summary>The request fields the handlers require (answering 400 without them).</summary>
    private static readonly Dictionary<Type, string[]> RequiredFields = new()
    {
        [typeof(CreateAccountRequest)] = ["name", "kind"],
        [typeof(InviteMemberRequest)] = ["email", "role"],
        [typeof(ChangeRoleRequest)] = ["role"],
        [typeof(CreateClientRequest)] = ["name", "email"],
        [typeof(CreateReportRequest)] = ["name"],
        [typeof(SharingRequest)] = ["sharedWithClient"],
        [typeof(CreateItemRequest)] = ["name"],
        [typeof(CreateIntegrationRequest)] = ["name"],
        [typeof(Identity.IdentitySetup.DevTokenRequest)] = ["email"],
    };

    private static readonly Dictionary<string, string[]> QueryEnums = new()
    {
        ["state"] = [.. Enum.GetValues<ConnectionState>().Select(ConnectionWire.Of)],
        ["direction"] = ["incoming", "outgoing"],
    };

    /// <summary>Single resources, whose 2xx answers carry the ETag a later If-Match sends back.</summary>
    private static readonly string[] Versioned = ["ConnectionResponse", "AccountResponse", "Report", "Item", "IntegrationResponse"];

    public static OpenApiOptions Describe(this OpenApiOptions options)
    {
        options.AddDocumentTransformer(DescribeDocument);
        options.AddOperationTransformer(DescribeOperation);
        options.AddSchemaTransformer(DescribeSchema);
        return options;
    }

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT from the identity provider (Microsoft Entra ID); claims sub, email, name.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] }];
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[Problem] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457 problem details. Clients switch on type, a stable URI.",
            Required = new HashSet<string> { "type", "title", "status" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri" },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "For validation problems: the messages for each field.",
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
                ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String },
            },
        };
        return Task.CompletedTask;
    }

    private static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var description = context.Description;
        var method = description.HttpMethod ?? "GET";
        var path = "/" + (description.RelativePath ?? "");
        var anonymous = description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any();
        var hasId = path.Contains('{', StringComparison.Ordinal);
        var changes = method is "POST" or "PUT" or "PATCH" or "DELETE";
        var conditional = method is "PUT" or "PATCH" or "DELETE" || (method == "POST" && path.StartsWith("/api/connections/", StringComparison.Ordinal));
        if (anonymous)
        {
            operation.Security = [];
        }

        operation.Parameters ??= [];
        foreach (var parameter in operation.Parameters.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Query && QueryEnums.ContainsKey(p.Name ?? "")))
        {
            parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. QueryEnums[parameter.Name!].Select(v => (JsonNode)v)] };
        }

        if (conditional)
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "If-Match",
                In = ParameterLocation.Header,
                Description = "The ETag this change was decided on; a stale one is 412 and changes nothing.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        operation.Responses ??= [];
        foreach (var (code, response) in operation.Responses.Where(r => r.Key.StartsWith('2')))
        {
            if (response is OpenApiResponse concrete && concrete.Content?.Values.Any(m => m.Schema is OpenApiSchemaReference r && Versioned.Contains(r.Reference.Id)) == true)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers["ETag"] = new OpenApiHeader { Description = "The version of the resource, for If-Match.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }
        }

        var problems = new List<(string Code, string Why)>();
        if (operation.Parameters.Count > 0 || operation.RequestBody is not null)
        {
            problems.Add(("400", "Invalid input (validation: an errors map per field); nothing changed."));
        }

        if (!anonymous)
        {
            problems.Add(("401", "No valid bearer token."));
            problems.Add(("403", "Signed in and able to see the resource, but the permission matrix does not allow this."));
        }

        if (hasId || !anonymous)
        {
            problems.Add(("404", "No such resource, or not visible to you (another tenant's resources answer 404, never 403)."));
        }

        if (changes && !anonymous)
        {
            problems.Add(("409", "The change conflicts with the current state, or lost a race with another change."));
        }

        if (conditional)
        {
            problems.Add(("412", "If-Match named another version."));
        }

        if (operation.RequestBody is not null)
        {
            problems.Add(("413", $"The body is over {RequestLimitsMiddleware.MaxBodyBytes} bytes."));
        }

        if (method == "POST" && !anonymous)
        {
            problems.Add(("422", "The Idempotency-Key was used with another route or body."));
        }

        problems.Add(("414", $"The path and query are over {RequestLimitsMiddleware.MaxRequestTargetLength} characters."));
        problems.Add(("500", "A fault on our side; it is logged."));
        foreach (var (code, why) in problems.Where(p => !operation.Responses.ContainsKey(p.Code)))
        {
            operation.Responses[code] = new OpenApiResponse
            {
                Description = why,
                Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = new OpenApiSchemaReference(Problem, context.Document) } },
            };
        }

        return Task.CompletedTask;
    }

    private static Task DescribeSchema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        if (schema.Properties is null)
        {
            return Task.CompletedTask;
        }

        foreach (var (name, property) in schema.Properties)
        {
            if (Enums.TryGetValue((type, name), out var values) && property is OpenApiSchema concrete)
            {
                concrete.Enum = [.. values.Select(v => (JsonNode)v)];
            }
        }

        if (type == typeof(CreateConnectionRequest))
        {
            schema.Description = "Exactly one of targetAccountId (connect by account id) and targetEmail (invite an admin of the other side by e-mail).";
        }

        // Requests are records whose every field binds as null when absent, so the handler's validation, not the
        // type, says which must be there: those listed here; everything else may be left out.
        if (type.Name.EndsWith("Request", StringComparison.Ordinal) && schema.Required is not null)
        {
            schema.Required = RequiredFields.TryGetValue(type, out var required) ? new HashSet<string>(required) : null;
        }

        return Task.CompletedTask;
    }
}
