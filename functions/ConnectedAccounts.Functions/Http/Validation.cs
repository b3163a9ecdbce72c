using ConnectedAccounts.Domain.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Http;

/// <summary>Collects field errors for one request; <see cref="Problem"/> is null when there are none.</summary>
public sealed class Validation
{
    public const int MaxTextLength = 2000;
    public const int MaxEmailLength = 254;

    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public ProblemHttpResult? Problem => IsValid ? null : Problems.Validation(_errors);

    public void Add(string field, string message) =>
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    public string? Required(string field, string? value, int maxLength = Domain.Accounts.Account.MaxNameLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "This field is required.");
            return null;
        }

        // Required fields are names: one line, so unlike free text they take no tab or line break either.
        if (value.Any(char.IsControl))
        {
            Add(field, "Control characters are not allowed.");
            return null;
        }

        return Optional(field, value, maxLength);
    }

    public string? Optional(string field, string? value, int maxLength = MaxTextLength)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > maxLength)
        {
            Add(field, $"At most {maxLength} characters.");
            return null;
        }

        if (value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            Add(field, "Control characters are not allowed.");
            return null;
        }

        return value.Trim();
    }

    public string? Id(string field, string? value, bool required = true)
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, "This field is required.");
            }

            return null;
        }

        if (!Ids.IsWellFormed(value))
        {
            Add(field, "Not a valid id.");
            return null;
        }

        return value;
    }

    public string? Email(string field, string? value, bool required = true)
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, "This field is required.");
            }

            return null;
        }

        var trimmed = value.Trim();
        var at = trimmed.IndexOf('@', StringComparison.Ordinal);
        if (trimmed.Length > MaxEmailLength || at <= 0 || at != trimmed.LastIndexOf('@') || at == trimmed.Length - 1 ||
            !trimmed[(at + 1)..].Contains('.', StringComparison.Ordinal) || trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            Add(field, "Not a valid e-mail address.");
            return null;
        }

        return trimmed;
    }

    public T? Enum<T>(string field, string? value, Func<string?, (bool Ok, T Value)> parse, string allowed, bool required = true)
        where T : struct
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, $"This field is required: one of {allowed}.");
            }

            return null;
        }

        var (ok, parsed) = parse(value);
        if (!ok)
        {
            Add(field, $"Must be one of {allowed}.");
            return null;
        }

        return parsed;
    }

    public void Merge(DomainError? error, string field)
    {
        if (error is not null)
        {
            Add(field, error.Detail);
        }
    }
}
