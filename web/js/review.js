// Review an artifact at a user.approve pause: preview, approve, reject with a reason, or edit
// (text/JSON in place with a diff before sending; an image by a replacement upload).
import { api } from "./api.js";
import { postToS3 } from "./upload.js";
import { diffLines } from "./diff.js";
import { html, useState, useEffect, ProblemBox, Status, Progress, DropZone, useLoad, bytes } from "./ui.js";
import { Player, artifactText, kindOf } from "./media.js";

const pretty = (format, text) => {
  if (format !== "json") return text;
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
};

function Diff({ before, after }) {
  const lines = diffLines(before, after);
  return html`<pre class="diff" aria-label="Changes">${lines.map((d) => html`<span class=${d.op === "+" ? "add" : d.op === "-" ? "del" : ""}>${d.op} ${d.line}\n</span>`)}</pre>`;
}

function TextEdit({ artifact, original, onEdited }) {
  const [draft, setDraft] = useState(original);
  const [showDiff, setShowDiff] = useState(false);
  const [problem, setProblem] = useState(null);
  const send = async () => {
    setProblem(null);
    let content = draft;
    if (artifact.format === "json") {
      try { content = JSON.parse(draft); } catch (exc) { setProblem({ title: "Not valid JSON", detail: exc.message }); return; }
    }
    try { onEdited(await api.post(`/v1/artifacts/${encodeURIComponent(artifact.artifact_id)}/versions`, { content })); }
    catch (exc) { setProblem(exc); }
  };
  return html`<div class="edit">
    <label for="edit-content">Edit ${artifact.artifact_name} (${artifact.format})</label>
    <textarea id="edit-content" rows="8" value=${draft} onInput=${(e) => { setDraft(e.target.value); setShowDiff(false); }}></textarea>
    ${showDiff ? html`<h3>Your changes</h3><${Diff} before=${original} after=${draft} />
        <button type="button" onClick=${send}>Send edit</button>`
      : html`<button type="button" onClick=${() => setShowDiff(true)} disabled=${draft === original}>Review changes</button>`}
    <${ProblemBox} problem=${problem} />
  </div>`;
}

function ImageEdit({ artifact, onEdited }) {
  const [file, setFile] = useState(null);
  const [preview, setPreview] = useState(null);
  const [progress, setProgress] = useState(0);
  const [problem, setProblem] = useState(null);
  const pick = (f) => { setFile(f); setProblem(null); setPreview(kindOf(f.type) === "image" ? URL.createObjectURL(f) : null); };
  const send = async () => {
    setProblem(null);
    try {
      const made = await api.post(`/v1/artifacts/${encodeURIComponent(artifact.artifact_id)}/versions`, { content_type: file.type, size_bytes: file.size });
      await postToS3(made.upload, file, setProgress);
      onEdited(await api.post(new URL(made.complete_url, location.origin).pathname));
    } catch (exc) { setProblem(exc); }
  };
  return html`<div class="edit">
    <${DropZone} id="edit-file" label=${`Replacement for ${artifact.artifact_name}`} accept=${artifact.content_type} onFile=${pick} />
    ${preview ? html`<img class="preview" src=${preview} alt="Preview of the replacement" />` : null}
    ${file ? html`<button type="button" onClick=${send}>Upload replacement</button>` : null}
    ${progress ? html`<${Progress} value=${progress} label="Upload progress" />` : null}
    <${ProblemBox} problem=${problem} />
  </div>`;
}

export function ArtifactReview({ pause, onDecided }) {
  const first = (pause.artifact && pause.artifact.artifact_id) || (pause.request && pause.request.artifact_id);
  const [artifactId, setArtifactId] = useState(first);
  const [artifact, problem] = useLoad(() => api.get(`/v1/artifacts/${encodeURIComponent(artifactId)}`), [artifactId]);
  const [text, setText] = useState(null);
  const [editing, setEditing] = useState(false);
  const [reason, setReason] = useState("");
  const [actionProblem, setActionProblem] = useState(null);
  const [message, setMessage] = useState(null);
  useEffect(() => {
    if (artifact && artifact.format !== "binary") artifactText(artifact.artifact_id).then((t) => setText(pretty(artifact.format, t)), setActionProblem);
  }, [artifact && artifact.artifact_id]);
  const decide = async (door) => {
    setActionProblem(null);
    if (door === "reject" && !reason.trim()) { setActionProblem({ title: "A reason is needed", detail: "say why you reject it" }); return; }
    try {
      await api.post(`/v1/artifacts/${encodeURIComponent(artifactId)}/${door}`, door === "reject" ? { reason } : reason.trim() ? { reason } : {});
      setMessage(door === "approve" ? `Approved ${artifact.artifact_name} v${artifact.version}.` : `Rejected ${artifact.artifact_name}.`);
      onDecided();
    } catch (exc) { setActionProblem(exc); }
  };
  const edited = (made) => { setEditing(false); setText(null); setArtifactId(made.artifact_id); setMessage(`Saved version ${made.version} of ${made.artifact_name}; approve it to continue.`); };
  if (problem) return html`<${ProblemBox} problem=${problem} />`;
  if (!artifact) return html`<p>Loading the artifact…</p>`;
  const image = artifact.format === "binary" && kindOf(artifact.content_type) === "image";
  return html`<div class="review">
    <p class="prompt">${pause.prompt || (pause.request && pause.request.prompt)}</p>
    <p>${artifact.artifact_name} · version ${artifact.version} · ${artifact.status} · ${artifact.content_type} · ${bytes(artifact.size_bytes)}</p>
    ${artifact.format === "binary" ? html`<${Player} url=${artifact.download_url} type=${artifact.content_type} name=${artifact.artifact_name} />`
      : text !== null && !editing ? html`<pre class="content">${text}</pre>` : null}
    ${artifact.format === "binary" && !kindOf(artifact.content_type) ? html`<p>This type is not shown here; download it to look.</p>` : null}
    ${editing ? (image ? html`<${ImageEdit} artifact=${artifact} onEdited=${edited} />` : html`<${TextEdit} artifact=${artifact} original=${text || ""} onEdited=${edited} />`) : null}
    <label for="decision-reason">Reason (needed to reject)</label>
    <input id="decision-reason" value=${reason} onInput=${(e) => setReason(e.target.value)} maxlength="1000" />
    <div class="actions">
      <button type="button" onClick=${() => decide("approve")}>Approve</button>
      <button type="button" onClick=${() => decide("reject")}>Reject</button>
      ${(artifact.format !== "binary" || image) && !editing ? html`<button type="button" onClick=${() => setEditing(true)}>Edit</button>` : null}
    </div>
    <${Status} message=${message} />
    <${ProblemBox} problem=${actionProblem} />
  </div>`;
}
