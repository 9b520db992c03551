"""The error codes the API answers: one registry, the source of the README's list, of the
OpenAPI description's list and of each operation's declared responses.

Each `code` has one HTTP status. `by_schema` marks rules the OpenAPI document expresses (a
request valid against the document never gets that code); every other 4xx code enforces a
rule JSON Schema cannot state (an unknown module, a cursor the server did not issue, a hash
that does not match), so a schema-valid request may still get it.

Plain data, cheap to import. tests/unit/api/test_error_codes.py checks that every code the
package raises is listed here and that the README's table is this one.
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    status: int
    when: str
    by_schema: bool = False


PROBLEM_CODES: dict[str, Code] = {
    # 400
    "INVALID_REQUEST": Code(
        400,
        "The request does not fit the operation's schema: a body, query or header value of the wrong type, length, pattern or enum, an unknown or missing field, JSON that does not parse. `errors` lists each `{loc, msg, type}`.",
        True,
    ),
    "INVALID_USERNAME": Code(400, "`username` is not 2-63 of `A-Z a-z 0-9 _ . -` starting with a letter or digit.", True),
    "INVALID_EMAIL": Code(400, "`email` is not an address (`local@domain.tld`, no spaces or control characters).", True),
    "INVALID_TEMPLATE_NAME": Code(
        400,
        "`template_name` (or the `workflow_id` it defaults to) is not 1-128 of `A-Z a-z 0-9 _ . -` starting with a letter or digit.",
        True,
    ),
    "INVALID_CONTENT_HASH": Code(400, "`content_hash` is not `sha256:` and 64 hex digits.", True),
    "INVALID_RUN_REQUEST": Code(
        400, "`POST /v1/runs` names none, or more than one, of `template_name`, `version_id`, `workflow`, `like_run_id`.", True
    ),
    "INVALID_IDEMPOTENCY_KEY": Code(400, "`Idempotency-Key` is not 1-255 printable ASCII characters without spaces.", True),
    "MISSING_FILE": Code(400, "A multipart template submission has no `file` part.", True),
    "INVALID_SEARCH": Code(
        400,
        "`GET /v1/runs`: `q` holds no word (2 or more letters or digits) or more than 8, `since` or `until` is a date that does not exist (month 13, February 30), or `since` is after `until`. Nothing is read.",
    ),
    "INVALID_CURSOR": Code(
        400, "`cursor` is not a `next_cursor` this list issued to this caller (forged, truncated, or from another list)."
    ),
    "INVALID_LAST_EVENT_ID": Code(
        400,
        "`GET /v1/runs/{id}/events/stream`: `Last-Event-ID` is not an event id (seq) of the run, or it (or `after`) is past the run's last event.",
    ),
    "INVALID_WORKFLOW": Code(
        400,
        "The workflow fails validation: the shape in the schema, and what the schema cannot say (duplicate `step_id`s, an unknown `module_id`, module inputs the module refuses, a malformed `$state`/`$run`/`$step` reference). `problems` lists every problem, each naming its step and module.",
    ),
    "INVALID_WORKFLOW_JSON": Code(400, "`workflow.json` in a zip is not a JSON object."),
    "DOCUMENT_TOO_DEEP": Code(400, "The (resolved) workflow nests objects and arrays deeper than allowed."),
    "INVALID_JSON_VALUE": Code(400, "A value has no canonical JSON form (a lone surrogate in a string, NaN or Infinity)."),
    "HASH_MISMATCH": Code(400, "`content_hash` differs from the canonical hash of the resolved workflow."),
    "UNRESOLVED_REF": Code(400, "A JSON submission (no zip) holds a file `$ref`."),
    "INVALID_REF": Code(400, "A `$ref` object is malformed (empty or non-string path, unknown `type`, extra keys)."),
    "REF_NOT_FOUND": Code(400, "A `$ref` names a file the zip does not hold."),
    "REF_CYCLE": Code(400, "`$ref`s form a cycle (the detail shows the chain)."),
    "REF_OUTSIDE_ARCHIVE": Code(400, "A `$ref` path leaves the archive (absolute, `..`, backslashes, a drive letter)."),
    "REF_INVALID_JSON": Code(400, "A `$ref` of type `json` names a file that is not JSON."),
    "REF_INVALID_TEXT": Code(400, "A `$ref` of type `text` names a file that is not UTF-8 text."),
    "REF_TOO_LARGE": Code(400, "A `$ref`ed file is over the size cap."),
    "REF_TOO_DEEP": Code(400, "Files referencing files nest deeper than allowed."),
    "INVALID_ZIP": Code(400, "The body is not a readable zip archive (or uses an unsupported compression)."),
    "ZIP_TOO_LARGE": Code(400, "The zip is over 10 MB compressed or 50 MB uncompressed (measured while reading)."),
    "ZIP_TOO_MANY_ENTRIES": Code(400, "The zip has more than 1000 entries."),
    "ZIP_BOMB": Code(400, "A zip entry decompresses to more than 200 times its compressed size."),
    "ZIP_UNSAFE_ENTRY": Code(
        400, "A zip entry name is absolute, climbs with `..`, has backslashes or a drive letter, is a symlink, or appears twice."
    ),
    "ZIP_NO_WORKFLOW": Code(400, "The zip holds no `workflow.json`."),
    "INVALID_INPUT_VALUE": Code(
        400,
        "An answer does not fit what the pause asked (an option not offered, text over `max_length`, the wrong type; for `user.media_upload` a media that is not `ready`, of a type not accepted, over `max_size_mb` or attached to another run). Nothing changes.",
    ),
    "UNSUPPORTED_CONTENT_TYPE": Code(
        400,
        "`POST /v1/media`: `content_type` is not on the allow-list (png, jpeg, webp, gif, mp3, wav, ogg, flac, mp4, webm, glb). Nothing is signed.",
        True,
    ),
    "INVALID_ARTIFACT_CONTENT": Code(
        400,
        "`POST /v1/artifacts/{id}/versions`: `content` does not fit the artifact's format (a text artifact takes a string; a json one a JSON value with a canonical form), or the body does not fit it (`content` for json and text, `content_type` and `size_bytes` for binary, not both). Nothing changes.",
    ),
    "MEDIA_TOO_LARGE": Code(
        400,
        "`POST /v1/media`: `size_bytes` is over this deployment's upload cap (`MediaMaxUploadMb`, default 25 MB). Nothing is signed.",
    ),
    "INVALID_RESUME_REQUEST": Code(
        400, "`POST /v1/runs/{id}/resume` names neither or both of `workflow` and `version_id`.", True
    ),
    "TEMPLATE_MISMATCH": Code(
        400, "`POST /v1/runs/{id}/resume`: `version_id` is a version of another template than the run's. Nothing changes."
    ),
    "INVALID_BRANCH_POINT": Code(
        400,
        "`POST /v1/runs/{id}/branches`: `from_event_id` is an event a branch cannot start at (start at `run_created`, `step_started`, `module_completed`, `step_completed`, `step_jumped`, `input_requested`, `module_failed` or `branch_created`), or at a step the run's workflow version does not have. Nothing changes.",
    ),
    "INVALID_STATE_OVERRIDES": Code(
        400,
        "`POST /v1/runs/{id}/branches`: a `state_overrides` key is not a state key or dotted path of identifiers. Nothing changes.",
    ),
    # Chains (issue 19): each names the step in `step_id`; nothing is stored.
    "INVALID_CHAIN": Code(
        400,
        "`POST /v1/chains`: a step gives both or neither of `template_name` and `version_id`, or an input that starts with `$steps.` is not `$steps.<step_id>.artifacts.<name>` or `$steps.<step_id>.state.<path>`.",
    ),
    "DUPLICATE_CHAIN_STEP": Code(400, "`POST /v1/chains`: two steps have the same `step_id`."),
    "CHAIN_CYCLE": Code(400, "`POST /v1/chains`: `depends_on` forms a cycle; `cycle` lists its steps in order."),
    "CHAIN_UNKNOWN_DEPENDENCY": Code(400, "`POST /v1/chains`: a step's `depends_on` names a step the chain does not have."),
    "CHAIN_INPUT_NOT_DEPENDENCY": Code(
        400, "`POST /v1/chains`: a step's input names (`$steps.<id>.…`) a step it does not depend on."
    ),
    "CHAIN_UNKNOWN_ARTIFACT": Code(
        400,
        "`POST /v1/chains`: a `$steps.<id>.artifacts.<name>` input names an artifact the upstream step's template never stores (no `artifact.store` of that name, no `media.generate` whose outputs it could be).",
    ),
    "CHAIN_UNKNOWN_TEMPLATE": Code(
        400, "`POST /v1/chains`: a step's `template_name` or `version_id` is not one of yours (or has no version)."
    ),
    # 401, 403, 404, 405
    "MISSING_API_KEY": Code(
        401, "No `Authorization: Bearer <key>` header (or another scheme). Sent with `WWW-Authenticate: Bearer`."
    ),
    "INVALID_API_KEY": Code(401, "The bearer key belongs to no user. Sent with `WWW-Authenticate: Bearer`."),
    "ADMIN_ONLY": Code(403, "An admin operation called with a non-admin user's key."),
    "NOT_FOUND": Code(
        404,
        "The id in the path (or `version_id`, `run_id`, `like_run_id` or an answer's `media_id` in a body, or `a`/`b` of `GET /v1/runs/compare`) names nothing of yours: another user's id, an id that does not exist, or a string that is not an id. Also any unknown path.",
    ),
    "TEMPLATE_NOT_FOUND": Code(
        404,
        "`template_name` names no template of yours, or a template with no version; `template=` of `GET /v1/keywords` or `/v1/option-usage` names no template of yours (by id or name).",
    ),
    "EVENT_NOT_FOUND": Code(
        404,
        "`POST /v1/runs/{id}/branches`: `from_event_id` names no event of this run (another run's, another user's, or none). Nothing changes.",
    ),
    "BRANCH_NOT_FOUND": Code(
        404,
        "`GET /v1/runs/{id}/events?branch_id=` or `GET /v1/runs/{id}/branches/{branch_id}`: the run has no such branch (`main` or one of `GET /v1/runs/{id}/branches`).",
    ),
    "METHOD_NOT_ALLOWED": Code(
        405, "The path exists but not with this method (`TRACE`, `DELETE` …). `Allow` lists the methods it has."
    ),
    # 409
    "USERNAME_TAKEN": Code(409, "Another user has this username (compared lowercased)."),
    "EMAIL_TAKEN": Code(409, "Another user has this email (compared lowercased)."),
    "USER_CONFLICT": Code(409, "The user could not be created because of a concurrent write; retry."),
    "NOT_AWAITING_INPUT": Code(409, "The run is not paused at this `step_id` (it never paused there, or has moved on)."),
    "INPUT_ALREADY_ANSWERED": Code(
        409,
        "The pause at this `step_id` was already answered; the problem may carry the winning answer's `input_id`, `decided_by`, `decided_at`.",
    ),
    "INPUT_EXPIRED": Code(
        409,
        "The pause timed out (or its execution ended) before the answer could be delivered; the run ends with `INPUT_TIMEOUT`.",
    ),
    "CONCURRENT_UPDATE": Code(
        409, "The record changed while this request updated it, more often than the server retries; retry."
    ),
    "IDEMPOTENCY_IN_PROGRESS": Code(409, "A request with this `Idempotency-Key` is still running; retry after it finishes."),
    "NOT_LATEST_VERSION": Code(
        409,
        "The artifact is not the latest version of its (run, artifact_name) any more (an edit made a newer one, perhaps concurrently): edit, approve or reject the latest; `latest_artifact_id` may name it. Nothing changes.",
    ),
    "ARTIFACT_NOT_PENDING": Code(
        409,
        "The artifact is not awaiting a decision: only `pending` and `edited` versions are approved or rejected (it is `approved`, `rejected` or `auto_approved`; `status_now`, `decided_by`, `decided_at` say so). Nothing changes.",
    ),
    "ARTIFACT_NOT_UPLOADED": Code(
        409,
        "`POST /v1/artifacts/{id}/versions/{version_id}/complete`: nothing has been uploaded to the version's form yet; upload, then complete again.",
    ),
    "MEDIA_NOT_UPLOADED": Code(
        409, "`POST /v1/media/{id}/complete`: nothing has been uploaded to the media's form yet; upload, then complete again."
    ),
    "RUN_ENDED": Code(
        409,
        "`POST /v1/runs/{id}/cancel`: the run has ended (completed, error, or cancelled already; `run_status` says which). Nothing changes.",
    ),
    "RUN_NOT_FAILED": Code(
        409, "`POST /v1/runs/{id}/retry`: only a run in `error` is retried (`run_status` says what it is). Nothing changes."
    ),
    "RUN_BUSY": Code(
        409,
        "A step of the run is running (status `running`): branching or resuming waits until it pauses or ends (one execution per run). Nothing changes.",
    ),
    "RUN_COMPLETED": Code(
        409,
        "`POST /v1/runs/{id}/resume` (or `/resume/confirm`): the run has completed; branch it or start a new run. Nothing changes.",
    ),
    "VERSION_MISMATCH": Code(
        409,
        "`POST /v1/runs/{id}/resume`: the workflow is another version than the run's: `current_version`, `submitted_version` and `options` (`continue_with_new`, `continue_with_original`, `start_fresh`); the offer is kept on the run for `POST /v1/runs/{id}/resume/confirm`, nothing else changes.",
    ),
    "NO_PENDING_MISMATCH": Code(
        409,
        "`POST /v1/runs/{id}/resume/confirm`: no VERSION_MISMATCH for this `version_id` is waiting (none was offered, another was offered later, or it was confirmed already). Nothing changes.",
    ),
    "STEP_NOT_IN_VERSION": Code(
        409,
        "`POST /v1/runs/{id}/resume/confirm` with `continue_with_new`: the step the run is at is not in the new version (`step_id`); choose another option. Nothing changes.",
    ),
    # 413, 415, 422
    "PAYLOAD_TOO_LARGE": Code(413, "A template submission body is over 10 MB."),
    "STATE_OVERRIDES_TOO_LARGE": Code(
        413,
        "`POST /v1/runs/{id}/branches`: `state_overrides` are over 64 KiB as compact JSON, or the state with them over 200 KiB. Nothing changes.",
    ),
    "INPUTS_TOO_LARGE": Code(413, "Run `inputs` are over 64 KiB as compact UTF-8 JSON. Nothing changes."),
    "ARTIFACT_TOO_LARGE": Code(
        413,
        "An edited version's `content` is over 5 MiB as compact UTF-8 JSON or text, or a binary version's `size_bytes` is over the upload cap (`MediaMaxUploadMb`, default 25 MB). Nothing changes.",
    ),
    "VALUE_TOO_LARGE": Code(413, "An answer `value` is over 64 KiB as compact UTF-8 JSON. Nothing changes."),
    "UNSUPPORTED_MEDIA_TYPE": Code(
        415,
        "A body in a content type the operation does not take (JSON operations take `application/json` or `+json`; template submissions also take multipart and zip).",
        True,
    ),
    "IDEMPOTENCY_KEY_REUSED": Code(
        422, "`POST /v1/runs`: this `Idempotency-Key` was used (by you, within 24 h) with a different body."
    ),
    "ARTIFACT_UPLOAD_REJECTED": Code(
        422,
        "`POST /v1/artifacts/{id}/versions/{version_id}/complete`: the uploaded object is not what was declared (size, Content-Type, or magic bytes of a known media type) and was deleted; `reason` says which. Start again with `POST /v1/artifacts/{id}/versions`.",
    ),
    # 429
    "QUOTA_EXCEEDED": Code(
        429,
        "The request would take you over one of your quotas (docs/quotas.md): `quota` names it (`active_runs`, `runs_per_day`, `stored_bytes`, `pending_uploads`), with its `limit`, what is `used`, the `requested` amount and `frees_when`; `runs_per_day` also `frees_at` (the next UTC midnight) and `Retry-After` (seconds to it), `pending_uploads` `Retry-After` (seconds until the oldest pending upload's form expires). Nothing changes. `GET /v1/quotas` shows your limits and usage.",
    ),
    "MEDIA_REJECTED": Code(
        422,
        "`POST /v1/media/{id}/complete`: the uploaded object failed verification (size over the cap or not the declared size, another Content-Type, magic bytes not of the declared type) and was deleted; `reason` says which. Upload again with a new `POST /v1/media`.",
    ),
    # 5xx
    "INTERNAL_ERROR": Code(
        500, "A bug: the server failed to handle the request (never declared by an operation; the contract test fails on it)."
    ),
    "SERVICE_UNAVAILABLE": Code(
        503,
        "An AWS call stayed throttled after retries, or an endpoint was unreachable. Sent with `Retry-After: 1`; retry (with the same `Idempotency-Key` for run starts).",
    ),
}

# `error.code` of a run that ended in `error` (GET /v1/runs/{id}), not HTTP problems.
RUN_ERROR_CODES: dict[str, str] = {
    "INPUT_TIMEOUT": "A pause got no answer within its step's `timeout_seconds` (default 7 days).",
    "TASK_FAILED": "A task of the run's execution failed after its retries (the message names the error).",
    "START_FAILED": "The run's execution could not be started.",
    "BOOKKEEPING_FAILED": "The run failed and recording that failure (its event) failed too; the run ends anyway, and the message names both.",
    "MODULE_EXCEPTION": "A module raised an unexpected exception.",
    "MODULE_ERROR": "A module failed without a more specific code.",
    "UNKNOWN_MODULE": "A step names a module this deployment no longer has (also a problem inside `INVALID_WORKFLOW` at submission).",
    "INVALID_MODULE_INPUT": "A module's inputs, with references resolved, do not fit the module; or they expand past a cap while being built: the values `$state`/`$run`/`$step` references name come to over 1 MiB as JSON (counted once per reference), or `transform.format`'s result passes 1,000,000 characters (it stops there, building nothing more).",
    "UNRESOLVED_REFERENCE": "A `$state`/`$run`/`$step` reference names nothing.",
    "FORMAT_ERROR": "`transform.format`: a bad template (an attribute, index or positional field, a spec over 10,000 wide), or a missing value.",
    "UNKNOWN_OUTPUT": "`outputs_to_state` names an output the module does not produce.",
    "OUTPUT_TOO_LARGE": "One module's outputs are over 200 KiB; the state keeps what the last module that fitted left.",
    "STATE_TOO_LARGE": "The run state would be over 200 KiB; the state keeps what the last module that fitted left.",
    "REQUEST_TOO_LARGE": "What a pause asks is over 64 KiB.",
    "REJECTED": "`user.approve`: the artifact was rejected (through either door) and the module names no `on_reject` step; the message carries the reason.",
    "ARTIFACT_NOT_FOUND": "`artifact.load` or `user.approve` names an artifact this run (or, by id, this user) does not have.",
    "ARTIFACT_ERROR": "`artifact.store` refused its data: not of its `format` (base64 or a media reference for binary; a string for text), over 5 MiB, or a media that is not yours, not ready or attached to another run.",
    "ARTIFACTS_UNAVAILABLE": "An artifact module ran where no artifact store is wired (a deployment fault).",
    "UNKNOWN_STEP": "A module sent the run to a step the workflow does not have (`user.approve`'s `on_reject`).",
    "PROVIDER_ERROR": "`api.llm`: the provider failed the call, with its message: a refusal (400, 401, 404 …) at once, or throttling (429), a 5xx or a timeout that outlasted the SDK's retries and Step Functions' (`ProviderThrottledError` / `ProviderUnavailableError`). `media.generate`: ComfyUI stayed unreachable or answered 5xx through Step Functions' retries.",
    "PROVIDER_NOT_CONFIGURED": "`api.llm`: the provider's key is not in the ProviderKeysSecret (`openai_api_key`, `anthropic_api_key`).",
    "INVALID_LLM_OUTPUT": "`api.llm` with `response_schema`: the reply did not validate against it, and neither did the one retry; the message names the first violation.",
    "INVALID_MEDIA_REF": "`api.llm` (a `media_ref`) or `media.generate` (an input image) names no image this run can use: not a `media_…` or `art_…` id, not yours, not ready, attached to another run, gone, or not an image.",
    "LLM_UNAVAILABLE": "`api.llm` ran where no LLM service is wired (a deployment fault).",
    "COMFYUI_ERROR": "`media.generate`: ComfyUI refused a request (an upload, a download) or answered something that is not its API.",
    "COMFYUI_NODE_ERRORS": "`media.generate`: ComfyUI's `POST /prompt` found the workflow graph invalid; the message names each node, its class and its errors (`node_errors`). Nothing was queued.",
    "COMFYUI_NODE_NOT_ALLOWED": "`media.generate`: after `$state` references were resolved, a graph node's `class_type` is not on this deployment's allow-list (`ComfyUINodeAllowList`, docs/security.md); the message names the node and class. Nothing was uploaded or queued. (At submit the same is an `INVALID_WORKFLOW` problem.)",
    "COMFYUI_INPUT_NOT_ALLOWED": "`media.generate`: a graph input that names a file (`LoadImage`/`LoadImageMask`'s `image`) is not one of this run's own uploads (another run's, an output, a path), or `images` fills an input that loads no file; the message names the node and input. Nothing was queued.",
    "COMFYUI_NOT_CONFIGURED": "`media.generate` ran where no ComfyUI server is configured (the `ComfyUIUrl` parameter, `RELAY_COMFYUI_URL`).",
    "MEDIA_GENERATION_FAILED": "`media.generate`: ComfyUI ran the prompt and reported an execution error (the message names the node and ComfyUI's message), or it made no output file (of `output_nodes`), or more than 32.",
    "MEDIA_GENERATION_TIMEOUT": "`media.generate`: the job was not done within its `timeout_seconds` (default 1800) from queueing; it was dropped from ComfyUI's queue.",
    "MEDIA_JOB_LOST": "`media.generate`: ComfyUI has the run's prompt neither in its queue nor in its history (the server restarted).",
    "MEDIA_UNAVAILABLE": "A media module ran where no media service is wired (a deployment fault).",
    "URL_NOT_ALLOWED": "`media.ingest_url`: the URL is not http(s), carries credentials, or its host is, resolves to, or redirects to an address that is not public (loopback, private, link-local, CGNAT, multicast, reserved, IPv4-mapped or NAT64 forms of them), or more than 3 redirects. Nothing was connected to.",
    "URL_FETCH_FAILED": "`media.ingest_url`: no connection, a timeout (the module's `timeout_seconds`), or a status that is not 2xx.",
    "URL_CONTENT_TOO_LARGE": "`media.ingest_url`: the content is over `max_size_mb` or the deployment's upload cap (`MediaMaxUploadMb`); reading stopped at the cap.",
    "URL_UNSUPPORTED_CONTENT": "`media.ingest_url`: the content's first bytes are not an image, audio or video type Relay accepts, or not one of `accept`, or not the media type its `Content-Type` claims.",
    "STORAGE_QUOTA_EXCEEDED": "`artifact.store`, `media.generate` or `media.ingest_url` would take the user over `stored_bytes` (the message names the quota, its limit and usage); nothing was stored.",
    "HISTORY_UNAVAILABLE": "`history.keyword_history`, `history.option_usage` or a `user.select` with `order_by: recent_usage` ran where no history store is wired (a deployment fault).",
}

# Base classes' codes: `except` targets, never raised as they are.
ABSTRACT_CODES = frozenset(
    {"RELAY_ERROR", "WORKFLOW_ERROR", "REF_ERROR", "ZIP_ERROR", "UNAUTHORIZED", "FORBIDDEN", "CONFLICT", "UNPROCESSABLE"}
)

# What the problems of one concern share, for operations' declarations.
WORKFLOW_CODES = (
    "INVALID_WORKFLOW",
    "DOCUMENT_TOO_DEEP",
    "INVALID_JSON_VALUE",
    "UNRESOLVED_REF",
    "INVALID_REF",
)
ZIP_CODES = (
    "INVALID_ZIP",
    "ZIP_TOO_LARGE",
    "ZIP_TOO_MANY_ENTRIES",
    "ZIP_BOMB",
    "ZIP_UNSAFE_ENTRY",
    "ZIP_NO_WORKFLOW",
    "INVALID_WORKFLOW_JSON",
    "REF_NOT_FOUND",
    "REF_CYCLE",
    "REF_OUTSIDE_ARCHIVE",
    "REF_INVALID_JSON",
    "REF_INVALID_TEXT",
    "REF_TOO_LARGE",
    "REF_TOO_DEEP",
)

OPENAPI_KEY = "x-problem-codes"
# `openapi_extra={REQUEST_BODY_KEY: "module:function"}`: the operation's requestBody is what
# that function returns, built with the document rather than at import (for bodies a route
# reads itself; a name, since FastAPI serialises openapi_extra).
REQUEST_BODY_KEY = "x-request-body"


def raises(*codes: str) -> dict[str, list[str]]:
    """`openapi_extra` for a route: the codes it answers beyond what its dependencies imply
    (relay.api.openapi derives 400/401/403/404/415/503 from them)."""
    unknown = [c for c in codes if c not in PROBLEM_CODES]
    if unknown:
        raise ValueError(f"unregistered problem codes: {unknown}")
    return {OPENAPI_KEY: list(codes)}


def markdown_table() -> str:
    """The README's and the OpenAPI description's list."""
    rows = ["| code | status | when |", "| --- | --- | --- |"]
    for code, entry in sorted(PROBLEM_CODES.items(), key=lambda kv: (kv[1].status, kv[0])):
        rows.append(f"| `{code}` | {entry.status} | {entry.when} |")
    return "\n".join(rows)


def run_error_table() -> str:
    rows = ["| `error.code` | when |", "| --- | --- |"]
    rows += [f"| `{code}` | {when} |" for code, when in sorted(RUN_ERROR_CODES.items())]
    return "\n".join(rows)


def readme_tables() -> str:
    """What the README shows between its error-code markers."""
    return f"{markdown_table()}\n\nA run that ends in `error` carries one of these in `error.code`:\n\n{run_error_table()}"
