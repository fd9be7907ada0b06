// The organiser's key (X-Admin-Key), asked for once per tab and kept in
// sessionStorage only.
import { html, useState } from '../vendor/preact-htm.js';
import { adminKey, setAdminKey } from './api.js';

export function AdminKeyForm({ onSet }) {
  const [key, setKey] = useState(adminKey());
  const submit = (e) => {
    e.preventDefault();
    setAdminKey(key.trim());
    onSet?.();
  };
  return html`<form class="card row" onSubmit=${submit} aria-label="Organiser sign-in">
    <label>Organiser key (X-Admin-Key, in DATA_DIR/admin.key)
      <input type="password" autocomplete="off" value=${key} onInput=${(e) => setKey(e.target.value)} /></label>
    <button>${adminKey() ? 'Change key' : 'Use key'}</button>
  </form>`;
}
