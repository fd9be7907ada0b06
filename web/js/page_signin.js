// Sign-in for demos (/signin): a fan token for a name from POST /v1/demo/token,
// which the server offers only when started with --demo. In production the
// platform's own login issues the fans' tokens.
import { html, useState } from '../vendor/preact-htm.js';
import { api, setFan } from './api.js';
import { Frame, Notice, mount } from './layout.js';

function SignInPage() {
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    try {
      const r = await api('/v1/demo/token', { body: { name } });
      setFan({ user: r.user, token: r.token });
      const next = new URLSearchParams(location.search).get('next') || '/';
      location.assign(next.startsWith('/') && !next.startsWith('//') ? next : '/');
    } catch (err) {
      setError(err.status === 404 ? 'Demo sign-in is off: the server was not started with --demo.' : err.message);
    }
  };
  return html`<${Frame} title="Sign in">
    <form class="card" onSubmit=${submit}>
      <p>For the demo: choose any name. This server hands out a fan token for it.</p>
      <label>Your name<input name="name" required maxlength="64" pattern="[A-Za-z0-9._@\\-]+" autocomplete="username"
        value=${name} onInput=${(e) => setName(e.target.value)} /></label>
      <button>Sign in</button>
    </form>
    <${Notice} kind="error">${error}<//>
  <//>`;
}

mount(SignInPage);
