"""S3 browser-form POST uploads checked against their policy, as S3 does (moto does not).

A presigned POST (`generate_presigned_post`) is a base64 JSON policy, signed, plus the form
fields it allows. S3 refuses an upload whose signature does not match, whose policy has
expired, whose fields break a condition (`bucket`, `key`/`Content-Type`/any other field eq
or starts-with, `content-length-range` against the file's real size), or that carries a
field no condition names; then nothing is stored. `PostPolicyFront` does the same in front
of moto, with S3's status codes and XML error bodies, and then applies the form's `tagging`
field (which moto ignores) to the stored object.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

# Fields S3 does not require a condition for.
_UNCONDITIONED = {"policy", "x-amz-signature", "signature", "awsaccesskeyid", "file"}
_BUCKET_PATH = re.compile(r"^/(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])/?$")


@dataclass
class PolicyError(Exception):
    status: int
    code: str
    message: str
    extra: dict[str, Any] | None = None

    def xml(self) -> bytes:
        extra = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in (self.extra or {}).items())
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{self.code}</Code><Message>{escape(self.message)}</Message>{extra}"
            f"<RequestId>{uuid.uuid4().hex[:16].upper()}</RequestId></Error>"
        ).encode()


def _denied(message: str) -> PolicyError:
    return PolicyError(403, "AccessDenied", f"Invalid according to Policy: {message}")


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def check_signature(form: dict[str, str], secrets: dict[str, str]) -> None:
    """SigV4 (`x-amz-credential`, `x-amz-signature`) or SigV2 (`AWSAccessKeyId`, `signature`)
    of the base64 policy, with the secret of the access key named."""
    policy = form.get("policy", "")
    if "x-amz-signature" in form:
        credential = form.get("x-amz-credential", "").split("/")
        if len(credential) != 5 or form.get("x-amz-algorithm") != "AWS4-HMAC-SHA256":
            raise PolicyError(400, "InvalidArgument", "POST requires x-amz-algorithm and x-amz-credential")
        access_key, date, region, service, _ = credential
        secret = secrets.get(access_key)
        if secret is None:
            raise PolicyError(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
        key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret}".encode(), date), region), service), "aws4_request")
        expected = hmac.new(key, policy.encode(), hashlib.sha256).hexdigest()
        given = form["x-amz-signature"]
    elif "signature" in form:
        secret = secrets.get(form.get("awsaccesskeyid", ""))
        if secret is None:
            raise PolicyError(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
        expected = base64.b64encode(hmac.new(secret.encode(), policy.encode(), hashlib.sha1).digest()).decode()
        given = form["signature"]
    else:
        raise PolicyError(403, "AccessDenied", "Bucket POST must contain a policy and its signature")
    if not hmac.compare_digest(expected, given):
        raise PolicyError(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        )


def _expiration(value: str) -> datetime:
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise _denied("Invalid Policy: Invalid 'expiration' value: " + json.dumps(value))


def evaluate(policy: dict[str, Any], form: dict[str, str], bucket: str, file_size: int, now: datetime) -> None:
    """Raise PolicyError unless the form (field names lower-cased), the bucket and the file's
    size satisfy every condition of `policy`, and every field is named by one."""
    if "expiration" not in policy:
        raise _denied("Invalid Policy: Policy missing expiration.")
    if now >= _expiration(policy["expiration"]):
        raise _denied("Policy expired.")
    values = {**form, "bucket": bucket}
    named: set[str] = set()
    for condition in policy.get("conditions", []):
        if isinstance(condition, dict):
            for name, expected in condition.items():
                named.add(name.lower())
                if values.get(name.lower()) != expected:
                    raise _denied(f'Policy Condition failed: ["eq", "${name}", {json.dumps(expected)}]')
            continue
        op = str(condition[0]).lower()
        if op == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if file_size > high:
                raise PolicyError(
                    400,
                    "EntityTooLarge",
                    "Your proposed upload exceeds the maximum allowed size",
                    {"ProposedSize": file_size, "MaxSizeAllowed": high},
                )
            if file_size < low:
                raise PolicyError(
                    400,
                    "EntityTooSmall",
                    "Your proposed upload is smaller than the minimum allowed size",
                    {"ProposedSize": file_size, "MinSizeAllowed": low},
                )
            continue
        field, expected = str(condition[1]).lstrip("$").lower(), condition[2]
        named.add(field)
        actual = values.get(field)
        if (
            (op == "eq" and actual != expected)
            or (op == "starts-with" and not (actual or "").startswith(expected))
            or op not in ("eq", "starts-with")
        ):
            raise _denied(f"Policy Condition failed: {json.dumps(list(condition))}")
    extra = sorted(f for f in form if f not in named and f not in _UNCONDITIONED and not f.startswith("x-ignore-"))
    if extra:
        raise _denied(f"Extra input fields: {', '.join(extra)}")


def _tagging(xml: str) -> list[tuple[str, str]]:
    return re.findall(r"<Tag>\s*<Key>(.*?)</Key>\s*<Value>(.*?)</Value>\s*</Tag>", xml, re.S)


class PostPolicyFront:
    """WSGI middleware in front of moto: path-style form POSTs to a bucket are checked
    (`check_signature`, `evaluate`) before moto stores anything."""

    def __init__(
        self, app: Callable[..., Any], secrets: dict[str, str], clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.app = app
        self.secrets = secrets
        self.clock = clock

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        match = _BUCKET_PATH.match(environ.get("PATH_INFO", ""))
        if (
            environ.get("REQUEST_METHOD") != "POST"
            or match is None
            or environ.get("QUERY_STRING")
            or not environ.get("CONTENT_TYPE", "").startswith("multipart/form-data")
        ):
            return self.app(environ, start_response)
        from werkzeug.formparser import parse_form_data

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        parsed = {**environ, "wsgi.input": io.BytesIO(body)}
        _, form_data, files = parse_form_data(parsed)
        form = {name.lower(): value for name, value in form_data.items()}
        bucket = match["bucket"]
        try:
            if "file" not in files:
                raise PolicyError(400, "InvalidArgument", "POST requires exactly one file upload per request.")
            size = len(files["file"].read())
            check_signature(form, self.secrets)
            try:
                policy = json.loads(base64.b64decode(form["policy"]))
            except (ValueError, KeyError):
                raise PolicyError(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
            evaluate(policy, form, bucket, size, self.clock())
        except PolicyError as error:
            start_response(
                f"{error.status} {'Forbidden' if error.status == 403 else 'Bad Request'}", [("Content-Type", "application/xml")]
            )
            return [error.xml()]

        environ["wsgi.input"] = io.BytesIO(body)
        status_line: list[str] = []

        def capture(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            status_line.append(status)
            return start_response(status, headers, exc_info)

        response = list(self.app(environ, capture))
        if status_line and status_line[0].startswith("2") and form.get("tagging"):
            self._tag(bucket, form["key"], _tagging(form["tagging"]))
        return response

    def _tag(self, bucket: str, key: str, tags: list[tuple[str, str]]) -> None:
        """PutObjectTagging, straight to moto (inside the same request, so before anything
        else can read the object)."""
        from werkzeug.test import EnvironBuilder

        xml = (
            "<Tagging><TagSet>" + "".join(f"<Tag><Key>{k}</Key><Value>{v}</Value></Tag>" for k, v in tags) + "</TagSet></Tagging>"
        )
        builder = EnvironBuilder(
            path=f"/{bucket}/{quote(key)}",
            method="PUT",
            query_string="tagging",
            data=xml.encode(),
            headers=[("Authorization", "AWS4-HMAC-SHA256 Credential=local/20000101/us-east-1/s3/aws4_request")],
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        list(self.app(environ, lambda status, headers, exc_info=None: None))
