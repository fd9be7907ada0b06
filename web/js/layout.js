// The frame every page shares: a header with the site's places, the signed-in
// fan, and a main landmark for the page's content.
import { html, render } from '../vendor/preact-htm.js';
import { fan, setFan } from './api.js';

export function Frame({ title, children, area = 'fan' }) {
  const f = fan();
  const signOut = () => {
    setFan(null);
    location.reload();
  };
  return html`
    <header class="top">
      <a class="brand" href="/">Boxoffice</a>
      <nav aria-label="Site">
        <a href="/" aria-current=${area === 'shows' ? 'page' : undefined}>Shows</a>
        <a href="/admin" aria-current=${area === 'admin' ? 'page' : undefined}>Organisers</a>
        <a href="/checkin" aria-current=${area === 'checkin' ? 'page' : undefined}>Check-in</a>
        ${f
          ? html`<span class="who">Signed in as <b>${f.user}</b>${' '}
              <button class="link" onClick=${signOut}>Sign out</button></span>`
          : html`<a href=${`/signin?next=${encodeURIComponent(location.pathname)}`}>Sign in</a>`}
      </nav>
    </header>
    <main id="main">
      <h1>${title}</h1>
      ${children}
    </main>`;
}

// Renders a page component into #app.
export function mount(component) {
  const root = document.getElementById('app');
  root.replaceChildren();  // the "Loading…" the HTML shows until the module runs
  render(html`<${component} />`, root);
}

// A message in a live region, so screen readers hear it.
export function Notice({ kind = 'info', children }) {
  if (!children) return null;
  return html`<p class=${`notice ${kind}`} role=${kind === 'error' ? 'alert' : 'status'}>${children}</p>`;
}
