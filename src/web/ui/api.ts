/** Calls to the JSON API: the session cookie goes by itself, the CSRF token in a header. */
import { lang } from './i18n.js';

let csrf = '';

export function setCsrf(token: string): void {
  csrf = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds from a Retry-After header (a throttled login), else null. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

/** Called when the server says the session is gone. */
let onLoggedOut: () => void = () => {};
export function whenLoggedOut(f: () => void): void {
  onLoggedOut = f;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  // Refusals come back in the console's language, not the browser's.
  const headers: Record<string, string> = { 'accept-language': lang() };
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => ({}))) as { error?: string };
  if (res.status === 401 && path !== '/api/login') onLoggedOut();
  if (!res.ok) {
    const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
    throw new ApiError(
      res.status,
      data.error ?? res.statusText,
      Number.isFinite(retryAfter) ? retryAfter : null,
    );
  }
  return data as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => call<T>('POST', path, body);
