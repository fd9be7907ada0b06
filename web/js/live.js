// A show's live stream over a WebSocket (GET /v1/shows/{id}/changes), resumed
// from the last version after a drop, with the fan's token for hold events.
//
//   const live = openLive('s1', { onMessage(m) {...}, onState(s) {...}, since: 41 });
//   live.close();
//
// Messages are the server's JSON (hello, change, hold, resync, queue). The
// stream reconnects with backoff and `?since=<last version>`, so no change is
// missed or repeated while the server keeps the history; past it the server
// sends `resync` and the page reloads its snapshot.
import { fan } from './api.js';

export function openLive(show, { onMessage, onState = () => {}, since = null, withToken = true }) {
  let ws = null;
  let version = since;
  let closed = false;
  let delay = 250;
  const connect = () => {
    const params = new URLSearchParams();
    if (version !== null) params.set('since', String(version));
    if (withToken && fan()) params.set('access_token', fan().token);
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(`${proto}//${location.host}/v1/shows/${show}/changes?${params}`);
    ws.onopen = () => {
      delay = 250;
      onState('open');
    };
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'hello' || m.type === 'change' || m.type === 'resync') version = m.version;
      onMessage(m);
    };
    ws.onclose = () => {
      if (closed) return;
      onState('reconnecting');
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  connect();
  return {
    close() {
      closed = true;
      if (ws) ws.close();
    },
    get version() { return version; },
  };
}
