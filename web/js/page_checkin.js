// The check-in page (/checkin): door staff type a ticket code or scan its QR
// code with the camera (jsQR); the answer is valid, already checked in (and
// when), cancelled, unknown or wrong show. The server records a check-in
// durably and once (POST /v1/tickets/{code}/checkin).
import { html, useEffect, useRef, useState } from '../vendor/preact-htm.js';
import { adminKey, api, clock } from './api.js';
import { AdminKeyForm } from './admin_key.js';
import { Frame, mount } from './layout.js';

const RESCAN_MS = 3000;  // the same code seen again within this is the same scan

function answerOf(e, code) {
  if (!e) return null;
  if (e.result === 'checked_in') return { kind: 'valid', text: `Valid: let in. ${e.ticket.seat}`, code };
  switch (e.code) {
    case 'already_checked_in':
      return { kind: 'seen', text: `Already checked in at ${clock(e.problem.checked_in_at)}. ${e.problem.ticket.seat}`, code };
    case 'ticket_cancelled': return { kind: 'bad', text: 'Cancelled: this ticket is void.', code };
    case 'wrong_show': return { kind: 'bad', text: `Wrong show: this ticket is for ${e.problem.ticket.show_id}.`, code };
    case 'not_found': return { kind: 'bad', text: 'Unknown ticket.', code };
    default: return { kind: 'bad', text: e.message, code };
  }
}

function Scanner({ onCode }) {
  const video = useRef(null);
  const [on, setOn] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    if (!on) return undefined;
    let stream = null;
    let timer = null;
    let stopped = false;
    (async () => {
      try {
        await import('../vendor/jsQR.js');  // sets self.jsQR
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        if (stopped) return;
        video.current.srcObject = stream;
        await video.current.play();
        const canvas = document.createElement('canvas');
        const ctx = canvas.getContext('2d', { willReadFrequently: true });
        const scan = () => {
          const v = video.current;
          if (v && v.videoWidth) {
            canvas.width = v.videoWidth;
            canvas.height = v.videoHeight;
            ctx.drawImage(v, 0, 0);
            const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
            const found = self.jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' });
            if (found?.data) onCode(found.data.trim());
          }
          timer = setTimeout(scan, 200);
        };
        scan();
      } catch (e) {
        setError(`The camera cannot be used: ${e.message}`);
        setOn(false);
      }
    })();
    return () => {
      stopped = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [on]);
  return html`<section class="card" aria-labelledby="scan-h">
    <h2 id="scan-h">Scan</h2>
    <button class="secondary" onClick=${() => setOn(!on)}>${on ? 'Stop the camera' : 'Scan with the camera'}</button>
    ${on && html`<video class="scan" ref=${video} muted playsinline aria-label="Camera"></video>`}
    ${error && html`<p role="alert">${error}</p>`}
  </section>`;
}

function CheckinPage() {
  const [code, setCode] = useState('');
  const [show, setShow] = useState('');
  const [shows, setShows] = useState([]);
  const [answer, setAnswer] = useState(null);
  const [, setKeyed] = useState(0);
  const last = useRef({ code: '', at: 0 });
  useEffect(() => { api('/v1/shows').then((r) => setShows(r.shows)).catch(() => {}); }, []);
  const check = async (c) => {
    const now = Date.now();
    if (c === last.current.code && now - last.current.at < RESCAN_MS) return;
    last.current = { code: c, at: now };
    try {
      const r = await api(`/v1/tickets/${encodeURIComponent(c)}/checkin`, { as: 'admin', body: show ? { show } : {} });
      setAnswer(answerOf(r, c));
    } catch (e) {
      setAnswer(answerOf(e, c));
    }
  };
  const submit = (e) => {
    e.preventDefault();
    last.current = { code: '', at: 0 };
    if (code.trim()) check(code.trim());
  };
  return html`<${Frame} title="Check-in" area="checkin">
    <${AdminKeyForm} onSet=${() => setKeyed((k) => k + 1)} />
    <form class="card row" onSubmit=${submit}>
      <label>Show at this door<select value=${show} onChange=${(e) => setShow(e.target.value)}>
        <option value="">Any show</option>
        ${shows.map((s) => html`<option value=${s.id}>${s.name}</option>`)}
      </select></label>
      <label>Ticket code<input value=${code} onInput=${(e) => setCode(e.target.value)} autocomplete="off" /></label>
      <button disabled=${!adminKey()}>Check in</button>
    </form>
    ${adminKey() && html`<${Scanner} onCode=${check} />`}
    <div aria-live="assertive" class="card">
      ${answer ? html`<p class=${`result ${answer.kind}`} data-testid="result">${answer.text}</p>
        <p class="muted">${answer.code}</p>` : html`<p class="muted">Scan or type a ticket code.</p>`}
    </div>
  <//>`;
}

mount(CheckinPage);
