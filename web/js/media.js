// Previews and players for stored content. Only the media types Relay serves inline are
// shown inline (images, audio, video); SVG, HTML and anything else is only ever a download.
import { request, safeUrl } from "./api.js";
import { html, useState, useEffect } from "./ui.js";

const INLINE = /^(image\/(png|jpeg|webp|gif)|audio\/(mpeg|wav|ogg|flac)|video\/(mp4|webm))$/;

export const kindOf = (type) => (INLINE.test(type || "") ? type.split("/")[0] : null);

export function Player({ url, type, name }) {
  const src = safeUrl(url);
  const kind = kindOf(type);
  if (!src || !kind) return null;
  if (kind === "image") return html`<img class="preview" src=${src} alt=${`Preview of ${name}`} />`;
  if (kind === "audio") return html`<audio controls src=${src} aria-label=${`Audio ${name}`}></audio>`;
  return html`<video controls src=${src} aria-label=${`Video ${name}`} class="preview"></video>`;
}

/** The text of an inline (json/text) artifact, read with the key. */
export async function artifactText(artifactId) {
  const response = await request("GET", `/v1/artifacts/${encodeURIComponent(artifactId)}/content`, { raw: true });
  return response.text();
}

/** A download link: a presigned URL as is, inline content as a blob made here. */
export function Download({ artifact, label }) {
  const [href, setHref] = useState(safeUrl(artifact.download_url));
  useEffect(() => {
    if (href || artifact.format === "binary") return undefined;
    let url = null;
    artifactText(artifact.artifact_id).then((text) => {
      url = URL.createObjectURL(new Blob([text], { type: "application/octet-stream" }));
      setHref(url);
    }, () => {});
    return () => url && URL.revokeObjectURL(url);
  }, [artifact.artifact_id]);
  if (!href) return null;
  const ext = artifact.format === "json" ? "json" : artifact.format === "text" ? "txt" : "bin";
  return html`<a class="button" href=${href} download=${`${artifact.artifact_name}-v${artifact.version}.${ext}`}>${label || `Download ${artifact.artifact_name}`}</a>`;
}
