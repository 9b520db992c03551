// The approvals inbox: every pause waiting for me across my runs, oldest first, with previews.
import { all, safeUrl } from "./api.js";
import { html, useState, ProblemBox, Heading, useLoad, when, link } from "./ui.js";
import { PauseForm } from "./pause.js";
import { kindOf } from "./media.js";

function Preview({ artifact }) {
  const url = safeUrl(artifact.preview_url);
  // A presigned GET (S3) can be an <img>; the …/content path needs the key, shown in the form.
  if (url && kindOf(artifact.content_type) === "image" && new URL(url).origin !== location.origin)
    return html`<img class="thumb" src=${url} alt=${`Preview of ${artifact.artifact_name}`} />`;
  return html`<p class="hint">${artifact.artifact_name} v${artifact.version} · ${artifact.format} · ${artifact.content_type}</p>`;
}

export function InboxPage({ refreshCount }) {
  const [items, problem, reload] = useLoad(() => all("/v1/approvals"), []);
  const [open, setOpen] = useState(null);
  const answered = () => { setOpen(null); reload(); refreshCount(); };
  return html`<${Heading}>Approvals<//>
    <${ProblemBox} problem=${problem} />
    ${items && !items.length ? html`<p>Nothing is waiting for you.</p>` : null}
    <ol class="cards inbox">${(items || []).map((item) => html`<li class="card">
      <h2 class="h3">${item.prompt || item.module_id}</h2>
      <p>${item.module_id} · step ${item.step_id} · waiting since ${when(item.created_at)}</p>
      <p>Run <a href=${link(`runs/${item.run_id}`)}>${item.run_id}</a> of ${item.run.template_name}${item.run.project_name ? ` (${item.run.project_name})` : ""}</p>
      ${item.artifact ? html`<${Preview} artifact=${item.artifact} />` : null}
      <button type="button" aria-expanded=${open === item.input_id ? "true" : "false"} onClick=${() => setOpen(open === item.input_id ? null : item.input_id)}>
        Answer ${item.step_id} of ${item.run_id}</button>
      ${open === item.input_id ? html`<${PauseForm} run=${item.run} pause=${item} onAnswered=${answered} />` : null}
    </li>`)}</ol>`;
}
