// One run, live: the SSE stream drives every refresh (no polling while it is open).
import { api, all } from "./api.js";
import { streamRun } from "./sse.js";
import { html, useState, useEffect, useRef, ProblemBox, Heading, Progress, useLoad, when } from "./ui.js";
import { PauseForm } from "./pause.js";
import { Deliverables, ExportButton } from "./gallery.js";
import { Branches, BranchFrom, Resume } from "./branches.js";

const POSITION_EVENTS = new Set(["run_created", "step_completed", "module_completed", "input_requested", "module_failed", "step_jumped", "branch_created"]);

function Timeline({ steps, events, current }) {
  const started = new Set(events.filter((e) => e.event_type === "step_started").map((e) => e.step_id));
  const done = new Set(events.filter((e) => e.event_type === "step_completed").map((e) => e.step_id));
  const failed = new Set(events.filter((e) => e.event_type === "module_failed").map((e) => e.step_id));
  return html`<ol class="timeline">${steps.map((s) => {
    const state = failed.has(s.step_id) ? "failed" : done.has(s.step_id) ? "done" : s.step_id === current ? "current" : started.has(s.step_id) ? "started" : "todo";
    return html`<li class=${state} aria-current=${state === "current" ? "step" : null}><span class="step-name">${s.name || s.step_id}</span> <span class="step-state">${state}</span></li>`;
  })}</ol>`;
}

function EventList({ events, onBranch }) {
  return html`<ol class="events" aria-live="polite" aria-relevant="additions">${events.map((e) => html`<li>
    <span class="seq">${e.seq}</span> <strong>${e.event_type}</strong>${e.step_id ? ` ${e.step_id}` : ""} <span class="when">${when(e.timestamp)}</span>
    ${POSITION_EVENTS.has(e.event_type) ? html` <button type="button" class="small" onClick=${() => onBranch(e)}>Branch from event ${e.seq}</button>` : null}
    <details><summary>Data of event ${e.seq}</summary><pre>${JSON.stringify(e.data, null, 2)}</pre></details>
  </li>`)}</ol>`;
}

function Logs({ runId, version }) {
  const [lines, problem] = useLoad(() => all(`/v1/runs/${encodeURIComponent(runId)}/logs`, {}, 300), [runId, version]);
  if (problem) return html`<${ProblemBox} problem=${problem} />`;
  if (!lines) return html`<p>Loading logs…</p>`;
  if (!lines.length) return html`<p>No log lines yet.</p>`;
  return html`<ol class="logs">${lines.map((l) => html`<li><span class=${`level ${l.level}`}>${l.level}</span> <span class="when">${when(l.timestamp)}</span> ${l.step_id ? `[${l.step_id}] ` : ""}${l.message}</li>`)}</ol>`;
}

function LlmCalls({ runId, version }) {
  const [calls, problem] = useLoad(() => all(`/v1/runs/${encodeURIComponent(runId)}/api-calls`), [runId, version]);
  if (problem) return html`<${ProblemBox} problem=${problem} />`;
  if (!calls) return html`<p>Loading LLM calls…</p>`;
  if (!calls.length) return html`<p>No LLM calls.</p>`;
  return html`<table class="calls" tabindex="0" aria-label="LLM calls"><thead><tr><th scope="col">Step</th><th scope="col">Provider / model</th><th scope="col">Status</th><th scope="col">Tokens</th><th scope="col">Cost (USD)</th><th scope="col">Time</th></tr></thead>
    <tbody>${calls.map((c) => html`<tr><td>${c.step_id}</td><td>${c.provider} / ${c.model}</td><td>${c.status}</td>
      <td>${Object.entries(c.usage || {}).map(([k, v]) => `${k}: ${v}`).join(", ")}</td><td>${c.cost_usd ?? ""}</td><td>${c.duration_ms ?? ""} ms</td></tr>`)}</tbody></table>`;
}

function Usage({ usage }) {
  const entries = Object.entries(usage || {});
  if (!entries.length) return null;
  return html`<p class="usage">LLM usage: ${entries.map(([k, v]) => `${k} ${typeof v === "object" ? JSON.stringify(v) : v}`).join(" · ")}</p>`;
}

export function RunPage({ runId, refreshCount }) {
  const [run, setRun] = useState(null);
  const [problem, setProblem] = useState(null);
  const [steps, setSteps] = useState([]);
  const [events, setEvents] = useState([]);
  const [live, setLive] = useState("connecting");
  const [tick, setTick] = useState(0); // bumps when events arrive: sections reload then
  const [branchFrom, setBranchFrom] = useState(null);
  const [generation, setGeneration] = useState(0); // a new stream after a branch or resume of an ended run
  const [synced, setSynced] = useState(0); // the last event seq the shown run reflects
  const pending = useRef(null);
  const path = `/v1/runs/${encodeURIComponent(runId)}`;
  const reloadRun = () => api.get(path).then((r) => { setRun(r); setProblem(null); }, setProblem);
  useEffect(() => {
    reloadRun();
    setEvents([]);
    const seen = new Set();
    const stop = streamRun(runId, {
      onEvent: (event) => {
        if (seen.has(event.seq)) return;
        seen.add(event.seq);
        setEvents((list) => [...list, event]);
        clearTimeout(pending.current);
        pending.current = setTimeout(() => {
          const upTo = Math.max(...seen);
          reloadRun().then(() => setSynced(upTo));
          setTick((t) => t + 1);
          refreshCount();
        }, 120);
      },
      onEnd: () => { setLive("ended"); reloadRun(); setTick((t) => t + 1); },
      onError: (p) => { setLive("error"); setProblem(p); },
      onState: setLive,
    });
    return () => { stop(); clearTimeout(pending.current); };
  }, [runId, generation]);
  const continued = () => { reloadRun(); setTick((t) => t + 1); if (live === "ended") setGeneration((g) => g + 1); };
  useEffect(() => {
    if (run && run.version_id) api.get(`/v1/versions/${encodeURIComponent(run.version_id)}`).then((v) => setSteps(v.workflow.steps || []), () => {});
  }, [run && run.version_id]);
  if (!run) return html`<${Heading}>Run ${runId}<//><${ProblemBox} problem=${problem} />${problem ? null : html`<p>Loading…</p>`}`;
  const p = run.progress || {};
  return html`<${Heading}>Run ${run.run_id}<//>
    <p class="meta">${run.template_name} · project ${run.project_name || "(none)"} · branch ${run.branch_id} · version ${run.version_id}</p>
    <p>Status: <span class=${`pill ${run.status}`} id="run-status" data-synced=${synced}>${run.status}</span>
      <span class="live" aria-live="polite"> live: ${live}</span></p>
    <${Progress} value=${p.value} label="Run progress" />
    <p class="stage">${[p.stage, p.message].filter(Boolean).join(": ")}</p>
    ${run.error ? html`<div class="problem" role="alert"><strong>${run.error.code}</strong><p>${run.error.message}</p></div>` : null}
    <${ProblemBox} problem=${problem} />
    <${Usage} usage=${run.llm_usage} />
    ${run.pending_input && run.status === "awaiting_input" ? html`<${PauseForm} key=${run.pending_input.input_id} run=${run} pause=${run.pending_input}
        onAnswered=${() => { reloadRun(); refreshCount(); }} />` : null}
    <section aria-labelledby="tl-h"><h2 id="tl-h">Steps</h2><${Timeline} steps=${steps} events=${events} current=${run.current_step} /></section>
    <section aria-labelledby="del-h"><h2 id="del-h">Deliverables</h2><${Deliverables} runId=${run.run_id} version=${tick} /><${ExportButton} runId=${run.run_id} /></section>
    <section aria-labelledby="llm-h"><h2 id="llm-h">LLM calls</h2><${LlmCalls} runId=${run.run_id} version=${tick} /></section>
    <section aria-labelledby="br-h"><h2 id="br-h">Branches</h2><${Branches} runId=${run.run_id} version=${tick} />
      ${branchFrom ? html`<${BranchFrom} key=${branchFrom.event_id} run=${run} event=${branchFrom} onDone=${() => { setBranchFrom(null); continued(); }} />` : null}
      <${Resume} run=${run} onDone=${continued} /></section>
    <section aria-labelledby="ev-h"><h2 id="ev-h">Events (${events.length})</h2><${EventList} events=${events} onBranch=${setBranchFrom} /></section>
    <section aria-labelledby="log-h"><h2 id="log-h">Logs</h2><${Logs} runId=${run.run_id} version=${live === "ended" ? "end" : Math.floor(tick / 5)} /></section>`;
}
