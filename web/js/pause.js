// Forms generated from what a pause asks: text, select, a media upload, an approval.
import { api } from "./api.js";
import { postToS3 } from "./upload.js";
import { html, useState, useEffect, useRef, ProblemBox, Status, Progress, DropZone, bytes } from "./ui.js";
import { ArtifactReview } from "./review.js";

const answer = (runId, stepId, value) => api.post(`/v1/runs/${encodeURIComponent(runId)}/input`, { step_id: stepId, value });

function TextForm({ run, pause, onAnswered }) {
  const request = pause.request || {};
  const [value, setValue] = useState(request.default || "");
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const max = request.max_length;
  const submit = async (e) => {
    e.preventDefault(); setBusy(true); setProblem(null);
    try { await answer(run.run_id, pause.step_id, value); onAnswered(); } catch (exc) { setProblem(exc); } finally { setBusy(false); }
  };
  const id = `answer-${pause.step_id}`;
  return html`<form onSubmit=${submit}>
    <label for=${id}>${request.prompt || pause.prompt}</label>
    ${max && max > 200 ? html`<textarea id=${id} rows="4" maxlength=${max} value=${value} onInput=${(e) => setValue(e.target.value)} aria-describedby=${`${id}-limit`}></textarea>`
      : html`<input id=${id} maxlength=${max || null} value=${value} onInput=${(e) => setValue(e.target.value)} aria-describedby=${`${id}-limit`} />`}
    <p class="hint" id=${`${id}-limit`}>${max ? `${value.length} of at most ${max} characters` : `${value.length} characters`}</p>
    <${ProblemBox} problem=${problem} />
    <button type="submit" disabled=${busy}>Send answer</button>
  </form>`;
}

function SelectForm({ run, pause, onAnswered }) {
  const request = pause.request || {};
  const options = request.options || [];
  const [chosen, setChosen] = useState(request.multiple ? [] : options[0] && options[0].value);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault(); setBusy(true); setProblem(null);
    try { await answer(run.run_id, pause.step_id, chosen); onAnswered(); } catch (exc) { setProblem(exc); } finally { setBusy(false); }
  };
  const toggle = (v) => setChosen(chosen.includes(v) ? chosen.filter((x) => x !== v) : [...chosen, v]);
  return html`<form onSubmit=${submit}><fieldset><legend>${request.prompt || pause.prompt}</legend>
    ${options.map((o, i) => html`<div class="choice">
      <input type=${request.multiple ? "checkbox" : "radio"} name=${`choice-${pause.step_id}`} id=${`choice-${pause.step_id}-${i}`} value=${o.value}
        checked=${request.multiple ? chosen.includes(o.value) : chosen === o.value}
        onChange=${() => (request.multiple ? toggle(o.value) : setChosen(o.value))} />
      <label for=${`choice-${pause.step_id}-${i}`}>${o.label || o.value}</label></div>`)}
    </fieldset>
    <${ProblemBox} problem=${problem} />
    <button type="submit" disabled=${busy}>Send answer</button>
  </form>`;
}

function MediaForm({ run, pause, onAnswered }) {
  const request = pause.request || {};
  const accepted = request.accepted_types || [];
  const [file, setFile] = useState(null);
  const [preview, setPreview] = useState(null);
  const [progress, setProgress] = useState(0);
  const [verdict, setVerdict] = useState(null);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const pick = (f) => {
    setFile(f); setProblem(null); setVerdict(null); setProgress(0);
    if (preview) URL.revokeObjectURL(preview);
    setPreview(/^image\/(png|jpeg|webp|gif)$/.test(f.type) ? URL.createObjectURL(f) : null);
  };
  const submit = async (e) => {
    e.preventDefault();
    if (!file) { setProblem({ title: "No file chosen", detail: "choose a file to upload" }); return; }
    setBusy(true); setProblem(null);
    try {
      const media = await api.post("/v1/media", { filename: file.name, content_type: file.type || "application/octet-stream", size_bytes: file.size, run_id: run.run_id });
      await postToS3(media.upload, file, setProgress);
      const checked = await api.post(`/v1/media/${encodeURIComponent(media.media_id)}/complete`);
      setVerdict(`Storage verified ${checked.filename}: ${checked.status}, ${bytes(checked.size_bytes)}, sha256 ${checked.sha256}`);
      await answer(run.run_id, pause.step_id, { media_id: media.media_id });
      onAnswered();
    } catch (exc) { setProblem(exc); } finally { setBusy(false); }
  };
  return html`<form onSubmit=${submit}>
    <p class="prompt">${request.prompt || pause.prompt || "Upload a file"}</p>
    <p class="hint">Accepted: ${accepted.join(", ") || "any"}${request.max_size_mb ? `, at most ${request.max_size_mb} MB` : ""}</p>
    <${DropZone} id=${`media-${pause.step_id}`} label="File to upload" accept=${accepted.join(",")} onFile=${pick} disabled=${busy} />
    ${file ? html`<p>Chosen: ${file.name} (${file.type || "unknown type"}, ${bytes(file.size)})</p>` : null}
    ${preview ? html`<img class="preview" src=${preview} alt=${`Preview of ${file.name}`} />` : null}
    ${busy || progress ? html`<${Progress} value=${progress} label="Upload progress" />` : null}
    <${Status} message=${verdict} />
    <${ProblemBox} problem=${problem} />
    <button type="submit" disabled=${busy}>Upload and send</button>
  </form>`;
}

export function PauseForm({ run, pause, onAnswered }) {
  const forms = { "user.text_input": TextForm, "user.select": SelectForm, "user.media_upload": MediaForm };
  const Form = forms[pause.module_id];
  const heading = useRef(null);
  // A new pause is what changed: focus goes to it (keyboard and screen-reader users land there).
  useEffect(() => { heading.current && heading.current.focus(); }, [pause.input_id]);
  return html`<section class="pause" aria-labelledby="pause-h">
    <h2 id="pause-h" tabindex="-1" ref=${heading}>Waiting for you: step ${pause.step_id}</h2>
    ${Form ? html`<${Form} run=${run} pause=${pause} onAnswered=${onAnswered} />`
      : pause.module_id === "user.approve" ? html`<${ArtifactReview} runId=${run.run_id} pause=${pause} onDecided=${onAnswered} />`
      : html`<p>This pause (${pause.module_id}) has no form here; answer it through the API.</p>`}
  </section>`;
}
