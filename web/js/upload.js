// Uploads straight to S3 with a presigned POST (XMLHttpRequest for upload progress).
import { Problem } from "./api.js";

/** POST `file` to the presigned form `upload` ({url, fields}); onProgress(fraction). */
export function postToS3(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append("file", file); // S3 wants the file last
    const xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) { onProgress(1); resolve(); return; }
      // S3 answers XML: its Code and Message are the detail.
      const text = xhr.responseText || "";
      const code = (text.match(/<Code>([^<]*)<\/Code>/) || [])[1] || "";
      const message = (text.match(/<Message>([^<]*)<\/Message>/) || [])[1] || text.slice(0, 200);
      reject(new Problem({ title: `Upload refused by storage (${xhr.status})`, detail: [code, message].filter(Boolean).join(": ") }, xhr.status));
    };
    xhr.onerror = () => reject(new Problem({ title: "Upload failed", detail: "the storage endpoint could not be reached" }, 0));
    xhr.send(form);
  });
}
