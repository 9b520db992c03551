// Branches: the tree, a branch from an event with state overrides, resume with another version.
import { api, all } from "./api.js";
import { html, useState, ProblemBox, Status, useLoad } from "./ui.js";

function Tree({ items, parent, active }) {
  const children = items.filter((b) => (b.parent_branch_id || null) === parent);
  if (!children.length) return null;
  return html`<ul class="tree">${children.map((b) => html`<li>
    <span class=${b.branch_id === active ? "active" : ""}>${b.branch_id}</span>
    ${b.branch_id === active ? html` <span class="pill">active</span>` : null}
    ${b.branch_point_seq != null ? html` <span class="hint">from event ${b.branch_point_seq}</span>` : null}
    <${Tree} items=${items} parent=${b.branch_id} active=${active} /></li>`)}</ul>`;
}

export function Branches({ runId, version }) {
  const [tree, problem] = useLoad(() => api.get(`/v1/runs/${encodeURIComponent(runId)}/branches`), [runId, version]);
  if (problem) return html`<${ProblemBox} problem=${problem} />`;
  if (!tree) return null;
  return html`<${Tree} items=${tree.items} parent=${null} active=${tree.active_branch_id} />`;
}

export function BranchFrom({ run, event, onDone }) {
  const [overrides, setOverrides] = useState("{}");
  const [problem, setProblem] = useState(null);
  const submit = async (e) => {
    e.preventDefault(); setProblem(null);
    let state_overrides;
    try { state_overrides = JSON.parse(overrides || "{}"); } catch (exc) { setProblem({ title: "Overrides are not JSON", detail: exc.message }); return; }
    try { await api.post(`/v1/runs/${encodeURIComponent(run.run_id)}/branches`, { from_event_id: event.event_id, state_overrides }); onDone(); }
    catch (exc) { setProblem(exc); }
  };
  return html`<form onSubmit=${submit} class="branch-from">
    <h3>Branch from event ${event.seq} (${event.event_type})</h3>
    <label for="overrides">State overrides (JSON object of keys or dotted paths)</label>
    <textarea id="overrides" rows="3" value=${overrides} onInput=${(e) => setOverrides(e.target.value)}></textarea>
    <${ProblemBox} problem=${problem} />
    <button type="submit">Create branch</button>
  </form>`;
}

const CHOICES = { continue_with_new: "Continue with the new version", continue_with_original: "Continue with the original", start_fresh: "Start a fresh run of the new version" };

export function Resume({ run, onDone }) {
  const [versions] = useLoad(() => all(`/v1/templates/${encodeURIComponent(run.template_id)}/versions`), [run.template_id]);
  const [chosen, setChosen] = useState("");
  const [offer, setOffer] = useState(null);
  const [problem, setProblem] = useState(null);
  const [message, setMessage] = useState(null);
  const path = `/v1/runs/${encodeURIComponent(run.run_id)}/resume`;
  const resume = async (e) => {
    e.preventDefault(); setProblem(null); setOffer(null); setMessage(null);
    try { await api.post(path, { version_id: chosen || run.version_id }); setMessage("Resumed."); onDone(); }
    catch (exc) { if (exc.code === "VERSION_MISMATCH") setOffer(exc.body); else setProblem(exc); }
  };
  const confirm = async (choice) => {
    setProblem(null);
    try {
      const answer = await api.post(`${path}/confirm`, { choice, version_id: offer.submitted_version });
      setOffer(null);
      if (choice === "start_fresh" && answer.run_id && answer.run_id !== run.run_id) location.hash = `#/runs/${answer.run_id}`;
      else { setMessage(`Done: ${CHOICES[choice]}.`); onDone(); }
    } catch (exc) { setProblem(exc); }
  };
  return html`<form onSubmit=${resume} class="resume">
    <h3>Resume with a version</h3>
    <label for="resume-version">Version</label>
    <select id="resume-version" value=${chosen} onChange=${(e) => setChosen(e.target.value)}>
      <option value="">the run's own (${run.version_id})</option>
      ${(versions || []).filter((v) => v.version_id !== run.version_id).map((v) => html`<option value=${v.version_id}>${v.version_id} (${v.content_hash.slice(0, 19)}…)</option>`)}
    </select>
    <button type="submit">Resume</button>
    ${offer ? html`<fieldset class="offer"><legend>This run is on ${offer.current_version}; you chose ${offer.submitted_version}. How to go on?</legend>
      ${(offer.options || []).map((o) => html`<button type="button" onClick=${() => confirm(o)}>${CHOICES[o] || o}</button>`)}</fieldset>` : null}
    <${Status} message=${message} />
    <${ProblemBox} problem=${problem} />
  </form>`;
}
