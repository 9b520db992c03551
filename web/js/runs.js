// Runs: start one (template, inputs, project) and the list of mine, newest first.
import { api, all } from "./api.js";
import { html, useState, useEffect, ProblemBox, Heading, useLoad, when, link } from "./ui.js";

/** The `$run.inputs.<name>` a workflow reads: the start form asks for each. */
export function inputNames(workflow) {
  const names = new Set();
  const walk = (node) => {
    if (typeof node === "string") for (const m of node.matchAll(/\$run\.inputs\.([A-Za-z0-9_]+)/g)) names.add(m[1]);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") Object.values(node).forEach(walk);
  };
  walk(workflow);
  return [...names].sort();
}

function StartRun({ templates, chosen }) {
  const [name, setName] = useState(chosen || (templates[0] && templates[0].template_name) || "");
  const [project, setProject] = useState("");
  const [fields, setFields] = useState([]);
  const [values, setValues] = useState({});
  const [extra, setExtra] = useState("");
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const template = templates.find((t) => t.template_name === name);
  useEffect(() => {
    if (!template) return;
    api.get(`/v1/versions/${encodeURIComponent(template.latest_version_id)}`).then((v) => setFields(inputNames(v.workflow)), setProblem);
  }, [template && template.latest_version_id]);
  const submit = async (e) => {
    e.preventDefault(); setProblem(null);
    let inputs = {};
    if (extra.trim()) {
      try { inputs = JSON.parse(extra); } catch (exc) { setProblem({ title: "Inputs are not JSON", detail: exc.message }); return; }
    }
    for (const f of fields) if (values[f] !== undefined && values[f] !== "") inputs[f] = values[f];
    setBusy(true);
    try {
      const run = await api.post("/v1/runs", { template_name: name, project_name: project.trim() || undefined, inputs });
      location.hash = link(`runs/${run.run_id}`);
    } catch (exc) { setProblem(exc); } finally { setBusy(false); }
  };
  if (!templates.length) return html`<p>No templates yet: <a href=${link("templates")}>upload one</a> first.</p>`;
  return html`<form onSubmit=${submit} class="start">
    <label for="run-template">Template</label>
    <select id="run-template" value=${name} onChange=${(e) => setName(e.target.value)}>
      ${templates.map((t) => html`<option value=${t.template_name}>${t.template_name}</option>`)}
    </select>
    <label for="run-project">Project name</label>
    <input id="run-project" value=${project} onInput=${(e) => setProject(e.target.value)} maxlength="200" />
    ${fields.map((f) => html`<label for=${`input-${f}`}>Input ${f}</label>
      <input id=${`input-${f}`} value=${values[f] || ""} onInput=${(e) => setValues({ ...values, [f]: e.target.value })} />`)}
    <label for="run-inputs">More inputs (JSON object, optional)</label>
    <textarea id="run-inputs" rows="3" value=${extra} onInput=${(e) => setExtra(e.target.value)} placeholder='{"key": "value"}'></textarea>
    <${ProblemBox} problem=${problem} />
    <button type="submit" disabled=${busy}>Start run</button>
  </form>`;
}

export function RunList({ runs }) {
  if (!runs.length) return html`<p>No runs yet.</p>`;
  return html`<table class="runs" tabindex="0"><caption class="sr-only">My runs</caption>
    <thead><tr><th scope="col">Run</th><th scope="col">Template</th><th scope="col">Project</th><th scope="col">Status</th><th scope="col">Started</th></tr></thead>
    <tbody>${runs.map((r) => html`<tr>
      <td><a href=${link(`runs/${r.run_id}`)}>${r.run_id}</a></td><td>${r.template_name}</td><td>${r.project_name || ""}</td>
      <td><span class=${`pill ${r.status}`}>${r.status}</span></td><td>${when(r.created_at)}</td></tr>`)}</tbody>
  </table>`;
}

export function RunsPage() {
  const chosen = new URLSearchParams(location.hash.split("?")[1] || "").get("template");
  const [templates, tProblem] = useLoad(() => all("/v1/templates"), []);
  const [runs, rProblem] = useLoad(() => api.get("/v1/runs", { limit: 50 }).then((p) => p.items), []);
  return html`<${Heading}>Runs<//>
    <section aria-labelledby="start-h"><h2 id="start-h">Start a run</h2>
      <${ProblemBox} problem=${tProblem} />
      ${templates ? html`<${StartRun} templates=${templates} chosen=${chosen} />` : null}
    </section>
    <section aria-labelledby="runs-h"><h2 id="runs-h">My runs</h2>
      <${ProblemBox} problem=${rProblem} />
      ${runs ? html`<${RunList} runs=${runs} />` : null}
    </section>`;
}
