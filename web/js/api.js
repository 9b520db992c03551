// The API client: every call carries the key from sessionStorage; every error is a Problem
// (the server's problem+json, or one made here for a network failure) shown next to its cause.
const KEY = "relay.apiKey";

export class Problem extends Error {
  constructor(body, status) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.title = body.title || `HTTP ${status}`;
    this.detail = body.detail || "";
    this.code = body.code || "";
    this.body = body;
  }
}

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

const listeners = new Set();
/** Called with the Problem when the key stops working (401): the app returns to sign-in. */
export function onUnauthorized(fn) { listeners.add(fn); return () => listeners.delete(fn); }

async function problemOf(response) {
  let body = {};
  try { body = await response.json(); } catch { body = { title: response.statusText || `HTTP ${response.status}` }; }
  return new Problem(body, response.status);
}

export async function request(method, path, { json, body, headers = {}, key = session.key(), raw = false, query, signal } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  const init = { method, headers: { ...headers }, signal };
  if (key) init.headers.Authorization = `Bearer ${key}`;
  if (json !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(json); }
  else if (body !== undefined) init.body = body;
  let response;
  try { response = await fetch(url, init); }
  catch (exc) {
    if (exc.name === "AbortError") throw exc;
    throw new Problem({ title: "Network error", detail: `${method} ${url.pathname}: ${exc.message}` }, 0);
  }
  if (!response.ok) {
    const problem = await problemOf(response);
    if (response.status === 401 && key) listeners.forEach((fn) => fn(problem));
    throw problem;
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.text();
}

export const api = {
  get: (path, query) => request("GET", path, { query }),
  post: (path, json, options = {}) => request("POST", path, { json, ...options }),
};

/** Every item of a paged list, up to `max`. */
export async function all(path, query = {}, max = 500) {
  const items = [];
  let cursor;
  do {
    const page = await api.get(path, { ...query, cursor, limit: Math.min(100, max) });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

/** A URL safe to put in href/src: http(s) only (never javascript:, data: …). */
export function safeUrl(value) {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value, location.origin);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch { return null; }
}
