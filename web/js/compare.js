// Two runs side by side (GET /v1/runs/compare).
import { api } from "./api.js";
import { html, useState, ProblemBox, Heading, useLoad, link } from "./ui.js";

const show = (v) => {
  if (v === null || v === undefined) return "—";
  if (typeof v === "object" && v.artifact_id) return `v${v.version} · ${v.status} · ${String(v.sha256 || "").slice(0, 12)}…`;
  return typeof v === "object" ? JSON.stringify(v) : String(v);
};

function Row({ name, pair }) {
  return html`<tr class=${pair.same ? "" : "differs"}><th scope="row">${name}</th><td>${show(pair.a)}</td><td>${show(pair.b)}</td><td>${pair.same ? "same" : "differs"}</td></tr>`;
}

function Result({ c }) {
  const rows = [["template", c.template], ["status", c.status], ["project", c.project_name], ["initial version", c.versions.initial], ["current version", c.versions.current],
    ...Object.entries(c.inputs || {}).map(([k, v]) => [`input ${k}`, v]), ...Object.entries(c.artifacts || {}).map(([k, v]) => [`artifact ${k}`, v]),
    ...Object.entries(c.llm_usage || {}).map(([k, v]) => [`LLM ${k}`, v]), ["cost (USD)", c.cost_usd], ["duration (s)", c.duration_seconds]].filter(([, p]) => p && "a" in p);
  return html`<table class="compare" tabindex="0" aria-label="Comparison"><thead><tr><th scope="col">Aspect</th><th scope="col">A</th><th scope="col">B</th><th scope="col"></th></tr></thead>
    <tbody>${rows.map(([name, pair]) => html`<${Row} name=${name} pair=${pair} />`)}</tbody></table>
    <h2>State</h2>
    ${c.state.same ? html`<p>The states are the same.</p>` : html`<ul>${c.state.differences.map((d) => html`<li><code>${d.path}</code> ${d.change}: ${show(d.a)} → ${show(d.b)}</li>`)}</ul>`}`;
}

export function ComparePage({ a, b }) {
  const [runs] = useLoad(() => api.get("/v1/runs", { limit: 50 }).then((p) => p.items), []);
  const [pickA, setA] = useState(a || "");
  const [pickB, setB] = useState(b || "");
  const [result, problem] = useLoad(() => (a && b ? api.get("/v1/runs/compare", { a, b }) : Promise.resolve(null)), [a, b]);
  const pick = (id, value, set) => html`<label for=${id}>${id === "cmp-a" ? "Run A" : "Run B"}</label>
    <select id=${id} value=${value} onChange=${(e) => set(e.target.value)}><option value="">choose a run</option>
      ${(runs || []).map((r) => html`<option value=${r.run_id}>${r.run_id} · ${r.template_name} · ${r.project_name || ""}</option>`)}</select>`;
  return html`<${Heading}>Compare two runs<//>
    <form onSubmit=${(e) => { e.preventDefault(); location.hash = link(`compare?a=${encodeURIComponent(pickA)}&b=${encodeURIComponent(pickB)}`); }}>
      ${pick("cmp-a", pickA, setA)}${pick("cmp-b", pickB, setB)}<button type="submit" disabled=${!pickA || !pickB}>Compare</button></form>
    <${ProblemBox} problem=${problem} />
    ${result ? html`<${Result} c=${result} />` : null}`;
}
