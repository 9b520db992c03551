// Templates: upload a workflow (JSON or zip; picker or drop), versions with their hashes.
import { api, request, all } from "./api.js";
import { html, useState, ProblemBox, Heading, Status, DropZone, useLoad, when, link } from "./ui.js";

async function submitFile(file, templateName) {
  const name = templateName.trim() || undefined;
  if (/\.zip$/i.test(file.name) || file.type === "application/zip") {
    return request("POST", "/v1/templates", { body: file, headers: { "Content-Type": "application/zip" }, query: { template_name: name } });
  }
  let workflow;
  try { workflow = JSON.parse(await file.text()); }
  catch (exc) { throw { title: "Not a JSON file", detail: `${file.name}: ${exc.message}` }; }
  return api.post("/v1/templates", { workflow, template_name: name });
}

function Upload({ onDone }) {
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const [result, setResult] = useState(null);
  const upload = async (file) => {
    setBusy(true); setProblem(null); setResult(null);
    try {
      const answer = await submitFile(file, name);
      const v = answer.version;
      setResult(answer.created
        ? `Uploaded ${file.name}: new version ${v.version_id} of ${answer.template.template_name} (${v.content_hash}).`
        : `Reused: ${file.name} has the same content as version ${v.version_id} of ${answer.template.template_name} (${v.content_hash}); no new version was made.`);
      onDone();
    } catch (exc) { setProblem(exc); } finally { setBusy(false); }
  };
  return html`<section aria-labelledby="upload-h">
    <h2 id="upload-h">Upload a workflow</h2>
    <label for="template-name">Template name (optional; default: the workflow_id)</label>
    <input id="template-name" value=${name} onInput=${(e) => setName(e.target.value)} maxlength="128" />
    <${DropZone} id="template-file" label="Workflow file (.json or .zip)" accept=".json,.zip,application/json,application/zip"
      onFile=${upload} disabled=${busy} />
    <${ProblemBox} problem=${problem} />
    <${Status} message=${result} />
  </section>`;
}

function Versions({ template }) {
  const [versions, problem] = useLoad(() => all(`/v1/templates/${encodeURIComponent(template.template_id)}/versions`), [template.template_id, template.version_count]);
  if (problem) return html`<${ProblemBox} problem=${problem} />`;
  if (!versions) return html`<p>Loading versions…</p>`;
  return html`<table class="versions" tabindex="0"><caption>Versions of ${template.template_name}</caption>
    <thead><tr><th scope="col">Version</th><th scope="col">Hash</th><th scope="col">Source</th><th scope="col">Created</th></tr></thead>
    <tbody>${versions.map((v) => html`<tr><td>${v.version_id}</td><td class="hash">${v.content_hash}</td><td>${v.source_type}</td><td>${when(v.created_at)}</td></tr>`)}</tbody>
  </table>`;
}

export function TemplatesPage() {
  const [templates, problem, reload] = useLoad(() => all("/v1/templates"), []);
  const [open, setOpen] = useState(null);
  return html`<${Heading}>Templates<//>
    <${Upload} onDone=${reload} />
    <section aria-labelledby="list-h"><h2 id="list-h">My templates</h2>
      <${ProblemBox} problem=${problem} />
      ${templates && !templates.length ? html`<p>No templates yet: upload a workflow above.</p>` : null}
      <ul class="cards">${(templates || []).map((t) => html`<li class="card">
        <h3>${t.display_name || t.template_name}</h3>
        <p>${t.template_name} · ${t.version_count} version${t.version_count === 1 ? "" : "s"} · updated ${when(t.updated_at)}</p>
        <p><a href=${link(`runs?template=${encodeURIComponent(t.template_name)}`)}>Start a run of ${t.template_name}</a></p>
        <button type="button" aria-expanded=${open === t.template_id ? "true" : "false"}
          onClick=${() => setOpen(open === t.template_id ? null : t.template_id)}>Versions of ${t.template_name}</button>
        ${open === t.template_id ? html`<${Versions} template=${t} />` : null}
      </li>`)}</ul>
    </section>`;
}
