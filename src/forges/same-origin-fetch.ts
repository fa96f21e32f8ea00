import { AutodevError } from '../errors.js';

const MAX_REDIRECTS = 5;

/**
 * A fetch that follows redirects only within the origin it was sent to. A redirect to another origin
 * is refused before anything is sent there: the request carries the forge token, and an answer from
 * elsewhere would be trusted as the forge's (GitLab's and Gitea's clients refuse every redirect).
 * Same-origin redirects are followed as fetch would (GitHub answers 301/307 for a renamed repo).
 */
export function sameOriginFetch(inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const first = new URL(input instanceof Request ? input.url : String(input));
    let url = first;
    let current: RequestInit = { ...init, redirect: 'manual' };
    for (let hop = 0; ; hop += 1) {
      const response = await inner(url, current);
      const location = response.headers.get('location');
      if (!isRedirect(response.status) || location === null) return response;
      await response.body?.cancel();
      const next = new URL(location, url);
      if (next.origin !== first.origin) {
        throw new AutodevError(
          'FORGE_FAILED',
          `${current.method ?? 'GET'} ${first.origin}${first.pathname} answered ${response.status} with a redirect to another origin (${next.origin}): refused, the request is not sent there`,
          { retryable: false, details: { status: response.status, redirectOrigin: next.origin } },
        );
      }
      if (hop + 1 >= MAX_REDIRECTS) {
        throw new AutodevError(
          'FORGE_FAILED',
          `${first.origin}${first.pathname}: more than ${MAX_REDIRECTS} redirects`,
          {
            retryable: false,
          },
        );
      }
      current = redirectedInit(response.status, current);
      url = next;
    }
  };
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** Fetch's own rule: 303, and 301/302 of a POST, become a GET without a body; 307/308 resend as is. */
function redirectedInit(status: number, init: RequestInit): RequestInit {
  const method = (init.method ?? 'GET').toUpperCase();
  const toGet = status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST';
  if (!toGet) return init;
  const { body: _body, ...rest } = init;
  const headers = new Headers(init.headers);
  headers.delete('content-type');
  headers.delete('content-length');
  return { ...rest, method: 'GET', headers };
}
