"""`make web-deploy`: upload web/ to the stack's web bucket and invalidate its distribution.

Run after `sam deploy` (a stack with WebDistribution=Enabled): the stack's outputs name the bucket
(WebBucketName) and the distribution (WebDistributionId). What is uploaded is what `relay local`
serves (relay_tools.local.web: the same file types, no dotfiles), with its Content-Type and
`Cache-Control: no-cache`: the files have no content hash in their names (no build step), so a
browser revalidates each (a 304 when unchanged) rather than mix modules of two releases. Objects
the bucket holds that web/ no longer has are deleted (the bucket is versioned: they stay as
noncurrent versions for 30 days). Then one invalidation of `/*` clears the edge caches.

    python -m relay_tools.web_deploy [--stack-name relay] [--region R] [--web-dir web] [--dry-run] [--wait]
"""

from __future__ import annotations

import argparse
import mimetypes
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .local.web import SERVED_SUFFIXES, TYPES, WEB_ROOT

CACHE_CONTROL = "no-cache"
OUTPUTS = ("WebBucketName", "WebDistributionId", "WebUrl")


class WebDeployError(Exception):
    code = "WEB_DEPLOY_FAILED"


@dataclass(frozen=True)
class WebFile:
    key: str
    path: Path
    content_type: str


def web_files(root: Path = WEB_ROOT) -> Iterator[WebFile]:
    """Every file of web/ that is served, by its key (its path under web/), in order."""
    root = root.resolve()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or path.suffix not in SERVED_SUFFIXES:
            continue
        kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        yield WebFile(relative.as_posix(), path, kind)


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except (ClientError, BotoCoreError) as exc:  # no such stack, no credentials …
        raise WebDeployError(f"stack {stack_name}: {exc}") from exc
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    missing = [name for name in OUTPUTS if name not in outputs]
    if missing:
        raise WebDeployError(
            f"stack {stack_name} has no {', '.join(missing)} output: deploy it with "
            "WebDistribution=Enabled (sam deploy --parameter-overrides WebDistribution=Enabled)"
        )
    return outputs


def _existing_keys(s3: Any, bucket: str) -> set[str]:
    keys: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys.update(item["Key"] for item in page.get("Contents", []))
    return keys


def deploy(
    s3: Any, cloudfront: Any, bucket: str, distribution_id: str, root: Path = WEB_ROOT, *, dry_run: bool = False, say: Any = print
) -> str | None:
    """Upload, delete what is gone, invalidate; the invalidation's id (None on a dry run)."""
    files = list(web_files(root))
    if not any(f.key == "index.html" for f in files):
        raise WebDeployError(f"{root} has no index.html")
    stale = sorted(_existing_keys(s3, bucket) - {f.key for f in files})
    for file in files:
        say(f"upload {file.key} ({file.content_type})")
        if not dry_run:
            s3.put_object(
                Bucket=bucket,
                Key=file.key,
                Body=file.path.read_bytes(),
                ContentType=file.content_type,
                CacheControl=CACHE_CONTROL,
            )
    for key in stale:
        say(f"delete {key}")
    if stale and not dry_run:
        for start in range(0, len(stale), 1000):  # DeleteObjects takes up to 1000 keys
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[start : start + 1000]], "Quiet": True})
    if dry_run:
        return None
    answer = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": f"relay-web-deploy-{time.time_ns()}"},
    )
    return answer["Invalidation"]["Id"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m relay_tools.web_deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack-name", default="relay", help="the stack (default relay, as samconfig.toml)")
    parser.add_argument("--region", default=None, help="its region (default: your AWS configuration's)")
    parser.add_argument("--web-dir", type=Path, default=WEB_ROOT, help="what to upload (default: the repository's web/)")
    parser.add_argument("--dry-run", action="store_true", help="say what would be uploaded and deleted, change nothing")
    parser.add_argument("--wait", action="store_true", help="wait until the invalidation has completed")
    args = parser.parse_args(argv)

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.session.Session(region_name=args.region)
    try:
        outputs = stack_outputs(session.client("cloudformation"), args.stack_name)
        invalidation = deploy(
            session.client("s3"),
            session.client("cloudfront"),
            outputs["WebBucketName"],
            outputs["WebDistributionId"],
            args.web_dir,
            dry_run=args.dry_run,
        )
    except (WebDeployError, ClientError, BotoCoreError) as exc:  # no region, no credentials, access denied …
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if invalidation and args.wait:
        session.client("cloudfront").get_waiter("invalidation_completed").wait(
            DistributionId=outputs["WebDistributionId"], Id=invalidation
        )
    print(
        f"{'would deploy' if args.dry_run else 'deployed'} {args.web_dir} to s3://{outputs['WebBucketName']}"
        + (f"; invalidation {invalidation}" if invalidation else "")
        + f"; the web UI: {outputs['WebUrl']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
