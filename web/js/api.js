// The Boxoffice API from the browser: JSON requests, problems as errors,
// who is signed in (a fan's token, an organiser's admin key), and how money,
// times and ids are shown. No framework; every page imports it.

// A problem+json answer (or a network failure) as an Error with its code.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || 'network_error';
    this.problem = problem;
  }
}

const FAN_KEY = 'boxoffice.fan';
const ADMIN_KEY = 'boxoffice.admin';

export function fan() {
  try {
    return JSON.parse(localStorage.getItem(FAN_KEY) || 'null');
  } catch {
    return null;
  }
}
export function setFan(value) {
  if (value) localStorage.setItem(FAN_KEY, JSON.stringify(value));
  else localStorage.removeItem(FAN_KEY);
}
export function adminKey() { return sessionStorage.getItem(ADMIN_KEY) || ''; }
export function setAdminKey(key) {
  if (key) sessionStorage.setItem(ADMIN_KEY, key);
  else sessionStorage.removeItem(ADMIN_KEY);
}

function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// Sends a request; resolves to the parsed JSON (or null), rejects with ApiError.
// options: {method, body (object or string), as: 'fan' | 'admin', headers, raw}
export async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (options.as === 'fan' && fan()) headers.Authorization = `Bearer ${fan().token}`;
  if (options.as === 'admin') headers['X-Admin-Key'] = adminKey();
  let body = options.body;
  if (body !== undefined && typeof body !== 'string') {
    body = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const method = options.method || (body !== undefined ? 'POST' : 'GET');
  if (method === 'POST' && !headers['Idempotency-Key']) headers['Idempotency-Key'] = idempotencyKey();
  let res;
  try {
    res = await fetch(path, { method, headers, body, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, { detail: `the server cannot be reached (${e.message})` });
  }
  if (options.raw) {
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({})));
    return res;
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { detail: text };
  }
  if (!res.ok) throw new ApiError(res.status, json || {});
  return json;
}

export function money(minor, currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

export function when(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function clock(iso) {
  return new Date(iso).toLocaleTimeString('en-GB');
}

// "m:ss" of a duration in milliseconds (never negative).
export function countdown(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// The route parameter after `prefix` in the page's path: "/shows/s1" -> "s1".
export function pathId(prefix) {
  const rest = location.pathname.slice(prefix.length);
  return decodeURIComponent(rest.split('/')[0] || '');
}
