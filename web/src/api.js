// The client of the documented HTTP API (docs/api.md): bearer token, JSON, an Idempotency-Key on every POST,
// If-Match when an ETag is given, and every error as an ApiError carrying the problem's detail.

export class ApiError extends Error {
  constructor(status, problem) {
    const errors = Object.entries(problem.errors ?? {}).map(([name, messages]) => `${name}: ${[].concat(messages).join(' ')}`);
    super([problem.detail || problem.title || `The service answered ${status}.`, ...errors].join(' '));
    this.status = status;
    this.code = (problem.type ?? '').split('/').pop();
    this.problem = problem;
  }
}

export function createApi(baseUrl, session) {
  async function request(method, path, { body, etag, query } = {}) {
    const url = new URL(`${baseUrl}${path}`, location.origin);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
    }
    const headers = { Accept: 'application/json' };
    const token = await session.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method === 'POST') headers['Idempotency-Key'] = crypto.randomUUID();
    if (etag) headers['If-Match'] = etag;

    let response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new ApiError(0, { detail: `The service could not be reached (${error.message}).` });
    }
    if (response.status === 401 && token) session.expired();
    const type = response.headers.get('Content-Type') ?? '';
    const data = type.includes('json') ? await response.json().catch(() => null) : await response.text();
    if (!response.ok) {
      throw new ApiError(response.status, data && typeof data === 'object' ? data : { detail: `The service answered ${response.status} ${response.statusText}.` });
    }
    return { data, etag: response.headers.get('ETag'), status: response.status };
  }

  const json = (method) => async (path, options) => (await request(method, path, options)).data;

  /** Every page of a list, following continuation tokens. */
  async function all(path, query = {}) {
    const items = [];
    let continuationToken;
    do {
      const page = await json('GET')(path, { query: { ...query, pageSize: 200, continuationToken } });
      items.push(...page.items);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return items;
  }

  return { request, get: json('GET'), post: json('POST'), patch: json('PATCH'), put: json('PUT'), delete: json('DELETE'), all };
}
