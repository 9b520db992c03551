// The app shell: sign-in, the header (with the approvals count), a hash router.
import { render } from "../vendor/htm-preact-standalone.js";
import { api, request, session, onUnauthorized } from "./api.js";
import { html, useState, useEffect, ProblemBox, Heading, link } from "./ui.js";
import { TemplatesPage } from "./templates.js";
import { RunsPage } from "./runs.js";
import { RunPage } from "./run.js";
import { InboxPage } from "./inbox.js";
import { GalleryPage } from "./gallery.js";
import { ComparePage } from "./compare.js";

function route() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(query) };
}

function SignIn({ reason, onSignedIn }) {
  const [key, setKey] = useState("");
  const [problem, setProblem] = useState(reason || null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setProblem(null);
    try {
      await request("GET", "/v1/templates", { key: key.trim(), query: { limit: 1 } });
      session.signIn(key.trim());
      onSignedIn();
    } catch (problem) { setProblem(problem); } finally { setBusy(false); }
  };
  return html`<main class="page signin" id="main" tabindex="-1">
    <${Heading}>Sign in to Relay<//>
    <form onSubmit=${submit} aria-describedby="signin-help">
      <label for="api-key">API key</label>
      <input id="api-key" name="api-key" type="password" autocomplete="off" required value=${key}
        onInput=${(e) => setKey(e.target.value)} aria-invalid=${problem ? "true" : "false"} />
      <p id="signin-help" class="hint">Your key (rk_…) stays in this tab only (sessionStorage) and is cleared when you sign out.</p>
      <${ProblemBox} problem=${problem} />
      <button type="submit" disabled=${busy}>Sign in</button>
    </form>
  </main>`;
}

function Header({ count, onSignOut }) {
  const here = route().parts[0] || "runs";
  const item = (name, label, extra = null) => html`<li><a href=${link(name)} aria-current=${here === name ? "page" : null}>${label}${extra}</a></li>`;
  const badge = html` <span class="badge" id="approvals-count" aria-label=${`${count} waiting`}>${count}</span>`;
  return html`<header class="top">
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>Skip to content</a>
    <span class="brand">Relay</span>
    <nav aria-label="Main"><ul>
      ${item("runs", "Runs")}${item("templates", "Templates")}${item("approvals", "Approvals", count == null ? null : badge)}
      ${item("gallery", "Gallery")}${item("compare", "Compare")}
    </ul></nav>
    <button type="button" class="signout" onClick=${onSignOut}>Sign out</button>
  </header>`;
}

function Page({ where, refreshCount }) {
  const [name, id] = where.parts;
  if (name === "templates") return html`<${TemplatesPage} />`;
  if (name === "runs" && id) return html`<${RunPage} key=${id} runId=${id} refreshCount=${refreshCount} />`;
  if (name === "approvals") return html`<${InboxPage} refreshCount=${refreshCount} />`;
  if (name === "gallery") return html`<${GalleryPage} />`;
  if (name === "compare") return html`<${ComparePage} a=${where.query.get("a")} b=${where.query.get("b")} />`;
  return html`<${RunsPage} />`;
}

function App() {
  const [signedIn, setSignedIn] = useState(Boolean(session.key()));
  const [reason, setReason] = useState(null);
  const [where, setWhere] = useState(route());
  const [count, setCount] = useState(null);
  const refreshCount = () => api.get("/v1/approvals", { limit: 100 }).then((page) => setCount(page.items.length + (page.next_cursor ? "+" : "")), () => {});
  useEffect(() => {
    const changed = () => setWhere(route());
    addEventListener("hashchange", changed);
    const off = onUnauthorized((problem) => { session.signOut(); setReason(problem); setSignedIn(false); });
    return () => { removeEventListener("hashchange", changed); off(); };
  }, []);
  useEffect(() => { if (signedIn) refreshCount(); }, [signedIn, where]);
  if (!signedIn) return html`<${SignIn} reason=${reason} onSignedIn=${() => { setReason(null); setSignedIn(true); }} />`;
  const signOut = () => { session.signOut(); setCount(null); setReason(null); setSignedIn(false); location.hash = ""; };
  return html`<${Header} count=${count} onSignOut=${signOut} />
    <main class="page" id="main" tabindex="-1"><${Page} key=${location.hash.split("?")[0]} where=${where} refreshCount=${refreshCount} /></main>`;
}

render(html`<${App} />`, document.getElementById("app"));
