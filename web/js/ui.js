// Shared pieces: the html tag, problems, headings that take focus, progress bars, drop zones.
import { html, useState, useEffect, useRef, useCallback } from "../vendor/htm-preact-standalone.js";

export { html, useState, useEffect, useRef, useCallback };

/** A problem+json (or any error) as title and detail, announced, next to what caused it. */
export function ProblemBox({ problem, id }) {
  const ref = useRef(null);
  useEffect(() => { if (problem && ref.current) ref.current.focus(); }, [problem]);
  if (!problem) return null;
  return html`<div class="problem" role="alert" tabindex="-1" ref=${ref} id=${id}>
    <strong class="problem-title">${problem.title || "Error"}</strong>
    ${problem.detail ? html`<p class="problem-detail">${problem.detail}</p>` : null}
    ${problem.code ? html`<p class="problem-code">${problem.code}</p>` : null}
    ${problemList(problem)}
  </div>`;
}

function problemList(problem) {
  const body = problem.body || {};
  const list = body.errors || body.problems;
  if (!Array.isArray(list) || !list.length) return null;
  return html`<ul>${list.slice(0, 20).map((item) => html`<li>${typeof item === "string" ? item : JSON.stringify(item)}</li>`)}</ul>`;
}

/** The page's heading: focused when the page changes, so a screen reader hears it. */
export function Heading({ children }) {
  const ref = useRef(null);
  useEffect(() => { ref.current && ref.current.focus(); }, []);
  return html`<h1 tabindex="-1" ref=${ref}>${children}</h1>`;
}

export function Status({ message }) {
  const ref = useRef(null);
  useEffect(() => { if (message && ref.current) ref.current.focus(); }, [message]);
  return message ? html`<p class="status" role="status" tabindex="-1" ref=${ref}>${message}</p>` : null;
}

export function Progress({ value, label }) {
  const pct = Math.round(Math.max(0, Math.min(1, value || 0)) * 100);
  return html`<div class="progress">
    <progress max="100" value=${pct} aria-label=${label}>${pct}%</progress><span>${pct}%</span>
  </div>`;
}

/** A file picker that also takes a dropped file. */
export function DropZone({ id, label, accept, onFile, disabled }) {
  const [over, setOver] = useState(false);
  const drop = (e) => {
    e.preventDefault(); setOver(false);
    const file = e.dataTransfer && e.dataTransfer.files[0];
    if (file && !disabled) onFile(file);
  };
  return html`<div class=${"dropzone" + (over ? " over" : "")}
      onDragOver=${(e) => { e.preventDefault(); setOver(true); }} onDragLeave=${() => setOver(false)} onDrop=${drop}>
    <label for=${id}>${label}</label>
    <input id=${id} type="file" accept=${accept} disabled=${disabled}
      onChange=${(e) => { const f = e.target.files[0]; if (f) onFile(f); e.target.value = ""; }} />
    <p class="hint">or drop a file here</p>
  </div>`;
}

/** Runs an async loader; [value, problem, reload]. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ value: undefined, problem: null });
  const reload = useCallback(() => {
    let live = true;
    load().then((value) => live && setState({ value, problem: null }), (problem) => live && setState({ value: undefined, problem }));
    return () => { live = false; };
  }, deps);
  useEffect(reload, [reload]);
  return [state.value, state.problem, reload];
}

export const when = (iso) => (iso ? new Date(iso).toLocaleString() : "");
export const bytes = (n) => (n == null ? "" : n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`);
export const link = (path) => `#/${path}`;
