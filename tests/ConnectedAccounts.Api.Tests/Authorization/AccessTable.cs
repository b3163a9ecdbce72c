namespace ConnectedAccounts.Api.Tests.Authorization;

/// <summary>
/// Who gets which status on every route, for each actor and connection state: written by hand from the permission
/// matrix and the rules of docs/api.md (and docs/permissions.md), never computed by the code under test.
///
/// The scene: agency A and client C. The connection A→C, when there is one, was requested by A's orgAdmin for the
/// agency users AO, AM, AMx, RU, VO and is managed by AM. Actors — agency: AO orgAdmin (selected), AOx orgAdmin
/// (not selected), AM accountManager managing C, AMx accountManager selected but not managing C, RU regularUser
/// (selected), VO viewOnly (selected), NS regularUser not selected; client: CO orgAdmin, CM accountManager, CR
/// regularUser, CV viewOnly; OUT a signed-in stranger; ANON no token. States: none (no connection: its id does not
/// exist), pending, active, activeTeam (active, and granting members.manage besides the default work), declined, cancelled, disconnecting (the worker has not run), disconnected, gone (C was
/// created by A, with C's four members added, then disconnected: C is archived and its organisation removed).
/// {report}, {item} and {integration} are C's; {member} is CV.
/// </summary>
public static class AccessTable
{
    public static readonly string[] Actors = ["AO", "AOx", "AM", "AMx", "RU", "VO", "NS", "CO", "CM", "CR", "CV", "OUT", "ANON"];

    public static readonly string[] States = ["none", "pending", "active", "activeTeam", "declined", "cancelled", "disconnecting", "disconnected", "gone"];

    /// <summary>"others" in a row's states: every state not named by another row of the same route.</summary>
    public const string Text = """
        route                                                           | states                                 | AO  AOx AM  AMx RU  VO  NS  CO  CM  CR  CV  OUT ANON
        GET    /api/accounts                                            | all                                    | 200 200 200 200 200 200 200 200 200 200 200 200 401
        POST   /api/accounts                                            | all                                    | 201 201 201 201 201 201 201 201 201 201 201 201 401

        GET    /api/accounts/{client}                                   | active activeTeam                      | 200 404 200 404 200 200 404 200 200 200 200 404 401
        GET    /api/accounts/{client}                                   | gone                                   | 200 404 200 404 200 200 404 404 404 404 404 404 401
        GET    /api/accounts/{client}                                   | others                                 | 404 404 404 404 404 404 404 200 200 200 200 404 401
        GET    /api/accounts/{client}/permissions                       | active activeTeam                      | 200 404 200 404 200 200 404 200 200 200 200 404 401
        GET    /api/accounts/{client}/permissions                       | gone                                   | 200 404 200 404 200 200 404 404 404 404 404 404 401
        GET    /api/accounts/{client}/permissions                       | others                                 | 404 404 404 404 404 404 404 200 200 200 200 404 401
        PATCH  /api/accounts/{client}                                   | active activeTeam                      | 403 404 403 404 403 403 404 200 403 403 403 404 401
        PATCH  /api/accounts/{client}                                   | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        PATCH  /api/accounts/{client}                                   | others                                 | 404 404 404 404 404 404 404 200 403 403 403 404 401

        GET    /api/accounts/{client}/members                           | active                                 | 403 404 403 404 403 403 404 200 200 200 200 404 401
        GET    /api/accounts/{client}/members                           | activeTeam                             | 200 404 200 404 403 403 404 200 200 200 200 404 401
        GET    /api/accounts/{client}/members                           | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        GET    /api/accounts/{client}/members                           | others                                 | 404 404 404 404 404 404 404 200 200 200 200 404 401
        POST   /api/accounts/{client}/members                           | active                                 | 403 404 403 404 403 403 404 202 202 403 403 404 401
        POST   /api/accounts/{client}/members                           | activeTeam                             | 202 404 202 404 403 403 404 202 202 403 403 404 401
        POST   /api/accounts/{client}/members                           | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        POST   /api/accounts/{client}/members                           | others                                 | 404 404 404 404 404 404 404 202 202 403 403 404 401
        PATCH  /api/accounts/{client}/members/{member}                  | active                                 | 403 404 403 404 403 403 404 200 200 403 403 404 401
        PATCH  /api/accounts/{client}/members/{member}                  | activeTeam                             | 200 404 200 404 403 403 404 200 200 403 403 404 401
        PATCH  /api/accounts/{client}/members/{member}                  | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        PATCH  /api/accounts/{client}/members/{member}                  | others                                 | 404 404 404 404 404 404 404 200 200 403 403 404 401
        DELETE /api/accounts/{client}/members/{member}                  | active                                 | 403 404 403 404 403 403 404 204 204 403 403 404 401
        DELETE /api/accounts/{client}/members/{member}                  | activeTeam                             | 204 404 204 404 403 403 404 204 204 403 403 404 401
        DELETE /api/accounts/{client}/members/{member}                  | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        DELETE /api/accounts/{client}/members/{member}                  | others                                 | 404 404 404 404 404 404 404 204 204 403 403 404 401
        GET    /api/accounts/{client}/invitations                       | active                                 | 403 404 403 404 403 403 404 200 200 403 403 404 401
        GET    /api/accounts/{client}/invitations                       | activeTeam                             | 200 404 200 404 403 403 404 200 200 403 403 404 401
        GET    /api/accounts/{client}/invitations                       | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        GET    /api/accounts/{client}/invitations                       | others                                 | 404 404 404 404 404 404 404 200 200 403 403 404 401
        GET    /api/accounts/{client}/connections                       | active activeTeam                      | 403 404 403 404 403 403 404 200 200 200 200 404 401
        GET    /api/accounts/{client}/connections                       | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        GET    /api/accounts/{client}/connections                       | others                                 | 404 404 404 404 404 404 404 200 200 200 200 404 401
        GET    /api/accounts/{client}/activity                          | active activeTeam                      | 403 404 403 404 403 403 404 200 200 403 403 404 401
        GET    /api/accounts/{client}/activity                          | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        GET    /api/accounts/{client}/activity                          | others                                 | 404 404 404 404 404 404 404 200 200 403 403 404 401
        GET    /api/accounts/{client}/access                            | active activeTeam                      | 403 404 403 404 403 403 404 200 200 403 403 404 401
        GET    /api/accounts/{client}/access                            | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        GET    /api/accounts/{client}/access                            | others                                 | 404 404 404 404 404 404 404 200 200 403 403 404 401

        POST   /api/accounts/{agency}/connections                       | none declined cancelled disconnected   | 201 201 201 201 403 403 403 404 404 404 404 404 401
        POST   /api/accounts/{agency}/connections                       | pending active activeTeam disconnecting | 409 409 409 409 403 403 403 404 404 404 404 404 401
        POST   /api/accounts/{agency}/connections                       | gone                                   | 404 404 404 404 403 403 403 404 404 404 404 404 401
        POST   /api/accounts/{agency}/clients                           | all                                    | 201 201 201 201 403 403 403 404 404 404 404 404 401

        GET    /api/connections/{connection}                            | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        GET    /api/connections/{connection}                            | gone                                   | 200 200 200 404 200 200 404 404 404 404 404 404 401
        GET    /api/connections/{connection}                            | others                                 | 200 200 200 404 200 200 404 200 200 200 200 404 401
        POST   /api/connections/{connection}/accept                     | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        POST   /api/connections/{connection}/accept                     | pending                                | 403 403 403 404 403 403 404 200 403 403 403 404 401
        POST   /api/connections/{connection}/accept                     | gone                                   | 403 403 403 404 403 403 404 404 404 404 404 404 401
        POST   /api/connections/{connection}/accept                     | others                                 | 403 403 403 404 403 403 404 409 403 403 403 404 401
        POST   /api/connections/{connection}/decline                    | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        POST   /api/connections/{connection}/decline                    | pending                                | 403 403 403 404 403 403 404 200 200 403 403 404 401
        POST   /api/connections/{connection}/decline                    | gone                                   | 403 403 403 404 403 403 404 404 404 404 404 404 401
        POST   /api/connections/{connection}/decline                    | others                                 | 403 403 403 404 403 403 404 409 409 403 403 404 401
        POST   /api/connections/{connection}/cancel                     | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        POST   /api/connections/{connection}/cancel                     | pending                                | 200 200 200 404 403 403 404 403 403 403 403 404 401
        POST   /api/connections/{connection}/cancel                     | gone                                   | 409 409 409 404 403 403 404 404 404 404 404 404 401
        POST   /api/connections/{connection}/cancel                     | others                                 | 409 409 409 404 403 403 404 403 403 403 403 404 401
        PUT    /api/connections/{connection}/agency-users               | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        PUT    /api/connections/{connection}/agency-users               | pending active activeTeam              | 200 200 200 404 403 403 404 403 403 403 403 404 401
        PUT    /api/connections/{connection}/agency-users               | gone                                   | 409 409 409 404 403 403 404 404 404 404 404 404 401
        PUT    /api/connections/{connection}/agency-users               | others                                 | 409 409 409 404 403 403 404 403 403 403 403 404 401
        PUT    /api/connections/{connection}/agency-users+all           | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        PUT    /api/connections/{connection}/agency-users+all           | pending active activeTeam              | 200 200 403 404 403 403 404 403 403 403 403 404 401
        PUT    /api/connections/{connection}/agency-users+all           | gone                                   | 409 409 403 404 403 403 404 404 404 404 404 404 401
        PUT    /api/connections/{connection}/agency-users+all           | others                                 | 409 409 403 404 403 403 404 403 403 403 403 404 401
        PUT    /api/connections/{connection}/permissions                | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        PUT    /api/connections/{connection}/permissions                | active activeTeam                      | 200 200 403 404 403 403 404 200 403 403 403 404 401
        PUT    /api/connections/{connection}/permissions                | gone                                   | 409 409 403 404 403 403 404 404 404 404 404 404 401
        PUT    /api/connections/{connection}/permissions                | others                                 | 409 409 403 404 403 403 404 409 403 403 403 404 401
        PUT    /api/connections/{connection}/permissions+widen          | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        PUT    /api/connections/{connection}/permissions+widen          | active                                 | 403 403 403 404 403 403 404 200 403 403 403 404 401
        PUT    /api/connections/{connection}/permissions+widen          | activeTeam                             | 200 200 403 404 403 403 404 200 403 403 403 404 401
        PUT    /api/connections/{connection}/permissions+widen          | gone                                   | 403 403 403 404 403 403 404 404 404 404 404 404 401
        PUT    /api/connections/{connection}/permissions+widen          | others                                 | 403 403 403 404 403 403 404 409 403 403 403 404 401
        PUT    /api/connections/{connection}/expiry                     | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        PUT    /api/connections/{connection}/expiry                     | active activeTeam                      | 200 200 200 404 403 403 404 200 200 403 403 404 401
        PUT    /api/connections/{connection}/expiry                     | gone                                   | 409 409 409 404 403 403 404 404 404 404 404 404 401
        PUT    /api/connections/{connection}/expiry                     | others                                 | 409 409 409 404 403 403 404 409 409 403 403 404 401
        PUT    /api/connections/{connection}/expiry+lengthen            | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        PUT    /api/connections/{connection}/expiry+lengthen            | active activeTeam                      | 403 403 403 404 403 403 404 200 403 403 403 404 401
        PUT    /api/connections/{connection}/expiry+lengthen            | gone                                   | 403 403 403 404 403 403 404 404 404 404 404 404 401
        PUT    /api/connections/{connection}/expiry+lengthen            | others                                 | 403 403 403 404 403 403 404 409 403 403 403 404 401
        GET    /api/connections/{connection}/disconnect-preview         | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        GET    /api/connections/{connection}/disconnect-preview         | gone                                   | 200 200 200 404 403 403 404 404 404 404 404 404 401
        GET    /api/connections/{connection}/disconnect-preview         | others                                 | 200 200 200 404 403 403 404 200 200 403 403 404 401
        GET    /api/connections/{connection}/disconnect-preview+narrow  | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        GET    /api/connections/{connection}/disconnect-preview+narrow  | active activeTeam                      | 200 200 403 404 403 403 404 200 403 403 403 404 401
        GET    /api/connections/{connection}/disconnect-preview+narrow  | gone                                   | 409 409 403 404 403 403 404 404 404 404 404 404 401
        GET    /api/connections/{connection}/disconnect-preview+narrow  | others                                 | 409 409 403 404 403 403 404 409 403 403 403 404 401
        GET    /api/connections/{connection}/activity                   | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        GET    /api/connections/{connection}/activity                   | gone                                   | 200 200 200 404 403 403 404 404 404 404 404 404 401
        GET    /api/connections/{connection}/activity                   | others                                 | 200 200 200 404 403 403 404 200 200 403 403 404 401
        POST   /api/connections/{connection}/disconnect                 | none                                   | 404 404 404 404 404 404 404 404 404 404 404 404 401
        POST   /api/connections/{connection}/disconnect                 | active activeTeam disconnecting disconnected | 202 202 202 404 403 403 404 202 202 403 403 404 401
        POST   /api/connections/{connection}/disconnect                 | pending declined cancelled             | 409 409 409 404 403 403 404 409 409 403 403 404 401
        POST   /api/connections/{connection}/disconnect                 | gone                                   | 202 202 202 404 403 403 404 404 404 404 404 404 401

        GET    /api/accounts/{client}/reports                           | active activeTeam                      | 200 404 200 404 200 200 404 200 200 200 200 404 401
        GET    /api/accounts/{client}/reports                           | gone                                   | 200 404 200 404 200 200 404 404 404 404 404 404 401
        GET    /api/accounts/{client}/reports                           | others                                 | 404 404 404 404 404 404 404 200 200 200 200 404 401
        POST   /api/accounts/{client}/reports                           | active activeTeam                      | 201 404 201 404 201 403 404 201 201 201 403 404 401
        POST   /api/accounts/{client}/reports                           | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        POST   /api/accounts/{client}/reports                           | others                                 | 404 404 404 404 404 404 404 201 201 201 403 404 401
        GET    /api/accounts/{client}/reports/{report}                  | active activeTeam                      | 200 404 200 404 200 200 404 200 200 200 200 404 401
        GET    /api/accounts/{client}/reports/{report}                  | gone                                   | 200 404 200 404 200 200 404 404 404 404 404 404 401
        GET    /api/accounts/{client}/reports/{report}                  | others                                 | 404 404 404 404 404 404 404 200 200 200 200 404 401
        PATCH  /api/accounts/{client}/reports/{report}                  | active activeTeam                      | 200 404 200 404 200 403 404 200 200 200 403 404 401
        PATCH  /api/accounts/{client}/reports/{report}                  | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        PATCH  /api/accounts/{client}/reports/{report}                  | others                                 | 404 404 404 404 404 404 404 200 200 200 403 404 401
        DELETE /api/accounts/{client}/reports/{report}                  | active activeTeam                      | 204 404 204 404 204 403 404 204 204 204 403 404 401
        DELETE /api/accounts/{client}/reports/{report}                  | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        DELETE /api/accounts/{client}/reports/{report}                  | others                                 | 404 404 404 404 404 404 404 204 204 204 403 404 401
        GET    /api/accounts/{client}/reports/{report}/export           | active activeTeam                      | 200 404 200 404 200 200 404 200 200 200 200 404 401
        GET    /api/accounts/{client}/reports/{report}/export           | gone                                   | 200 404 200 404 200 200 404 404 404 404 404 404 401
        GET    /api/accounts/{client}/reports/{report}/export           | others                                 | 404 404 404 404 404 404 404 200 200 200 200 404 401
        PUT    /api/accounts/{client}/reports/{report}/sharing          | active activeTeam                      | 200 404 200 404 200 403 404 200 200 200 403 404 401
        PUT    /api/accounts/{client}/reports/{report}/sharing          | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        PUT    /api/accounts/{client}/reports/{report}/sharing          | others                                 | 404 404 404 404 404 404 404 200 200 200 403 404 401

        GET    /api/accounts/{client}/items                             | active activeTeam                      | 200 404 200 404 200 403 404 200 200 200 403 404 401
        GET    /api/accounts/{client}/items                             | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        GET    /api/accounts/{client}/items                             | others                                 | 404 404 404 404 404 404 404 200 200 200 403 404 401
        POST   /api/accounts/{client}/items                             | active activeTeam                      | 201 404 201 404 201 403 404 201 201 201 403 404 401
        POST   /api/accounts/{client}/items                             | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        POST   /api/accounts/{client}/items                             | others                                 | 404 404 404 404 404 404 404 201 201 201 403 404 401
        GET    /api/accounts/{client}/items/{item}                      | active activeTeam                      | 200 404 200 404 200 403 404 200 200 200 403 404 401
        GET    /api/accounts/{client}/items/{item}                      | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        GET    /api/accounts/{client}/items/{item}                      | others                                 | 404 404 404 404 404 404 404 200 200 200 403 404 401
        PATCH  /api/accounts/{client}/items/{item}                      | active activeTeam                      | 200 404 200 404 200 403 404 200 200 200 403 404 401
        PATCH  /api/accounts/{client}/items/{item}                      | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        PATCH  /api/accounts/{client}/items/{item}                      | others                                 | 404 404 404 404 404 404 404 200 200 200 403 404 401

        GET    /api/accounts/{client}/integrations                      | active activeTeam                      | 200 404 200 404 403 403 404 200 200 200 200 404 401
        GET    /api/accounts/{client}/integrations                      | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        GET    /api/accounts/{client}/integrations                      | others                                 | 404 404 404 404 404 404 404 200 200 200 200 404 401
        POST   /api/accounts/{client}/integrations                      | active activeTeam                      | 201 404 201 404 403 403 404 201 201 403 403 404 401
        POST   /api/accounts/{client}/integrations                      | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        POST   /api/accounts/{client}/integrations                      | others                                 | 404 404 404 404 404 404 404 201 201 403 403 404 401
        GET    /api/accounts/{client}/integrations/{integration}        | active activeTeam                      | 200 404 200 404 403 403 404 200 200 200 200 404 401
        GET    /api/accounts/{client}/integrations/{integration}        | gone                                   | 403 404 403 404 403 403 404 404 404 404 404 404 401
        GET    /api/accounts/{client}/integrations/{integration}        | others                                 | 404 404 404 404 404 404 404 200 200 200 200 404 401
        """;
}
