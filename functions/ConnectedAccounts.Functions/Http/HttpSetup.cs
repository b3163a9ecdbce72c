using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ConnectedAccounts.Functions.Http;

public static class HttpSetup
{
    /// <summary>Problem documents for every error, the source-generated serializer, the OpenAPI document, and the sweep of old Idempotency-Key records.</summary>
    public static IHostApplicationBuilder AddHttpApi(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default));
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;

            // Errors the framework produces itself (unreadable JSON, unknown route, wrong method or media type)
            // get our stable types too.
            if (problem.Type is null || problem.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
            {
                (problem.Type, problem.Detail) = problem.Status switch
                {
                    StatusCodes.Status400BadRequest => (Problems.TypeOf("malformed-request"), problem.Detail ?? "The request body or parameters could not be read: check the JSON and the types of its fields."),
                    StatusCodes.Status404NotFound => (Problems.TypeOf("not-found"), problem.Detail ?? "No such route or resource."),
                    StatusCodes.Status405MethodNotAllowed => (Problems.TypeOf("method-not-allowed"), problem.Detail ?? "This route does not take that method."),
                    StatusCodes.Status413PayloadTooLarge => (Problems.TypeOf("body-too-large"), problem.Detail),
                    StatusCodes.Status415UnsupportedMediaType => (Problems.TypeOf("unsupported-media-type"), problem.Detail ?? "Send JSON with Content-Type: application/json."),
                    StatusCodes.Status500InternalServerError => (Problems.TypeOf("internal"), "Something went wrong on our side. It has been logged."),
                    _ => (Problems.TypeOf("http-" + problem.Status), problem.Detail),
                };
            }

            problem.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
        });
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();

        // Kestrel answers a request line over its limit itself, with an empty 414; past ours it reaches
        // RequestLimitsMiddleware, which answers with a problem document.
        builder.Services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestLineSize = RequestLimitsMiddleware.KestrelMaxRequestLineBytes);
        builder.Services.AddOpenApi(o => o.Describe().AddOperationTransformer(DescribeIdempotencyKey));
        builder.Services.AddSingleton<IdempotencySweep>();
        return builder;
    }

    /// <summary>Every POST a signed-in user makes takes an <c>Idempotency-Key</c> (<see cref="IdempotencyMiddleware"/>).</summary>
    private static Task DescribeIdempotencyKey(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.Description.ActionDescriptor.EndpointMetadata;
        if (context.Description.HttpMethod == HttpMethods.Post && !endpoint.OfType<IAllowAnonymous>().Any())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyMiddleware.Header,
                In = ParameterLocation.Header,
                Description = $"Replays the first response to the same user, route and body for {IdempotencyMiddleware.Retention.TotalHours:0} hours " +
                    "(Idempotent-Replayed: true); another route or body with the key is 422, a replay while the first still runs is 409.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = IdempotencyMiddleware.MaxKeyLength },
            });
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Drops the hosted service that loads the data-protection key ring at start-up (and on a fresh instance generates
    /// and writes a key). Authentication registers data protection, but this API signs nothing with it: bearer tokens
    /// only, no cookies, no antiforgery. Should a protector ever be asked for, the key ring still loads on first use.
    /// Call it after everything that registers data protection.
    /// </summary>
    public static IServiceCollection WithoutKeyRingWarmUp(this IServiceCollection services)
    {
        var dataProtection = typeof(DataProtectionOptions).Assembly;
        foreach (var warmUp in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Assembly == dataProtection).ToList())
        {
            services.Remove(warmUp);
        }

        return services;
    }

    public static IApplicationBuilder UseHttpApi(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestLimitsMiddleware>();
        return app;
    }
}
