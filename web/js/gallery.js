// Deliverables: per run and across my runs, with players and downloads; the run's export zip.
import { api, all, safeUrl } from "./api.js";
import { html, useState, ProblemBox, Heading, Status, useLoad, when, link } from "./ui.js";
import { Player, Download, artifactText, kindOf } from "./media.js";

function Item({ brief }) {
  const [artifact, problem] = useLoad(() => api.get(`/v1/artifacts/${encodeURIComponent(brief.artifact_id)}`), [brief.artifact_id]);
  const [text] = useLoad(() => (brief.format === "binary" ? Promise.resolve(null) : artifactText(brief.artifact_id)), [brief.artifact_id]);
  if (problem) return html`<li class="card"><${ProblemBox} problem=${problem} /></li>`;
  if (!artifact) return html`<li class="card">Loading ${brief.artifact_name}…</li>`;
  return html`<li class="card deliverable">
    <h3>${artifact.artifact_name} <span class="hint">v${artifact.version}</span></h3>
    <p>${artifact.status} · ${artifact.content_type} · ${when(artifact.created_at)}</p>
    ${artifact.format === "binary" ? html`<${Player} url=${artifact.download_url} type=${artifact.content_type} name=${artifact.artifact_name} />`
      : text ? html`<pre class="content">${text.slice(0, 2000)}</pre>` : null}
    ${artifact.format === "binary" && !kindOf(artifact.content_type) ? html`<p class="hint">Not shown inline (${artifact.content_type}): download it.</p>` : null}
    <${Download} artifact=${artifact} />
  </li>`;
}

const latest = (items) => items.filter((a) => a.is_latest && a.status !== "rejected");

export function Deliverables({ runId, version }) {
  const [items, problem] = useLoad(() => all(`/v1/runs/${encodeURIComponent(runId)}/artifacts`, { type: "deliverable" }), [runId, version]);
  if (problem) return html`<${ProblemBox} problem=${problem} />`;
  if (!items) return html`<p>Loading deliverables…</p>`;
  const shown = latest(items);
  if (!shown.length) return html`<p>No deliverables yet.</p>`;
  return html`<ul class="cards gallery">${shown.map((a) => html`<${Item} key=${a.artifact_id} brief=${a} />`)}</ul>`;
}

export function ExportButton({ runId }) {
  const [made, setMade] = useState(null);
  const [problem, setProblem] = useState(null);
  const make = async () => {
    setProblem(null);
    try { setMade(await api.get(`/v1/runs/${encodeURIComponent(runId)}/export`)); } catch (exc) { setProblem(exc); }
  };
  const href = made && safeUrl(made.download_url);
  return html`<div class="export">
    <button type="button" onClick=${make}>Make the export zip</button>
    ${href ? html`<${Status} message=${`Export ready: ${made.size_bytes} bytes, sha256 ${made.sha256}`} />
      <a class="button" href=${href} download=${`${runId}.zip`}>Download export zip</a>` : null}
    <${ProblemBox} problem=${problem} />
  </div>`;
}

export function GalleryPage() {
  const [runs, problem] = useLoad(() => api.get("/v1/runs", { limit: 20 }).then((p) => p.items), []);
  return html`<${Heading}>Gallery<//>
    <p class="hint">The deliverables of my 20 newest runs.</p>
    <${ProblemBox} problem=${problem} />
    ${(runs || []).map((r) => html`<section aria-labelledby=${`g-${r.run_id}`}>
      <h2 id=${`g-${r.run_id}`}><a href=${link(`runs/${r.run_id}`)}>${r.template_name} · ${r.project_name || r.run_id}</a></h2>
      <${Deliverables} runId=${r.run_id} version=${0} /></section>`)}
    ${runs && !runs.length ? html`<p>No runs yet.</p>` : null}`;
}
