// The run's live events: fetch() with a stream reader (EventSource cannot send Authorization),
// parsing text/event-stream; reconnects with Last-Event-ID until the server sends `end`.
import { Problem, session, request } from "./api.js";

export function parseChunk(buffer, onMessage) {
  // Returns the unparsed tail. Messages end at a blank line.
  const blocks = buffer.split(/\r?\n\r?\n/);
  const tail = blocks.pop();
  for (const block of blocks) {
    const message = { id: null, event: "message", data: [], retry: null };
    for (const line of block.split(/\r?\n/)) {
      if (!line || line.startsWith(":")) continue;
      const at = line.indexOf(":");
      const field = at < 0 ? line : line.slice(0, at);
      const value = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "");
      if (field === "data") message.data.push(value);
      else if (field === "id") message.id = value;
      else if (field === "event") message.event = value;
      else if (field === "retry") message.retry = Number(value);
    }
    if (message.data.length || message.id !== null || message.retry !== null) onMessage({ ...message, data: message.data.join("\n") });
  }
  return tail;
}

/** Streams a run's events: onEvent(event), onEnd(data), onError(problem), onState("open"|"waiting"). Returns stop(). */
export function streamRun(runId, { onEvent, onEnd, onError, onState, after = 0 }) {
  let lastId = after ? String(after) : null;
  let retry = 1000;
  let stopped = false;
  let controller = null;
  let timer = null;

  async function connect() {
    controller = new AbortController();
    const headers = { Accept: "text/event-stream" };
    if (lastId !== null) headers["Last-Event-ID"] = lastId;
    let ended = false;
    try {
      const response = await request("GET", `/v1/runs/${encodeURIComponent(runId)}/events/stream`,
        { headers, raw: true, key: session.key(), query: lastId === null ? { after: 0 } : {} , signal: controller.signal });
      onState && onState("open");
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer = parseChunk(buffer + decoder.decode(value, { stream: true }), (message) => {
          if (message.retry) retry = message.retry;
          if (message.id !== null) lastId = message.id;
          if (message.event === "end") { ended = true; onEnd && onEnd(JSON.parse(message.data)); }
          else if (message.data) onEvent(JSON.parse(message.data));
        });
      }
    } catch (exc) {
      if (stopped) return;
      if (exc instanceof Problem) {
        onError && onError(exc);
        if (exc.status && exc.status < 500) return; // 4xx: reconnecting would not help
      }
    }
    if (stopped || ended) return;
    onState && onState("waiting");
    timer = setTimeout(connect, retry);
  }

  connect();
  return () => { stopped = true; clearTimeout(timer); controller && controller.abort(); };
}
