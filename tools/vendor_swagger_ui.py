"""Vendor Swagger UI (the npm package swagger-ui-dist, pinned) into the relay package, so that
`/docs` serves its own copy and loads nothing from a CDN (works offline, under a strict CSP).

    python tools/vendor_swagger_ui.py            # fetch the pinned version, check it, copy it
    python tools/vendor_swagger_ui.py --check    # the vendored files are the pinned ones (no network)

The pin is `layers/relay/relay/api/swagger_ui/MANIFEST.json`: the package, its version, the
registry's integrity of the tarball (`npm view swagger-ui-dist@VERSION dist.integrity`), and a
sha256 per copied file. To upgrade, set `version` and `integrity` there and run this script:
it refuses a tarball whose integrity differs, then rewrites the file hashes. Only what the page
loads is copied (the bundle, its CSS) with the licences, not the other builds or source maps
(the layer's size, the API function's cold start)."""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "layers" / "relay" / "relay" / "api" / "swagger_ui"
MANIFEST = TARGET / "MANIFEST.json"
FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch(manifest: dict) -> None:
    spec = f"{manifest['package']}@{manifest['version']}"
    with tempfile.TemporaryDirectory() as tmp:
        # `npm pack` fetches the registry's tarball of exactly this version (no install scripts run).
        name = (
            subprocess.run(["npm", "pack", spec, "--silent"], cwd=tmp, check=True, capture_output=True, text=True)
            .stdout.strip()
            .splitlines()[-1]
        )
        tarball = Path(tmp) / name
        if integrity(tarball) != manifest["integrity"]:
            sys.exit(f"{spec}: the tarball's integrity {integrity(tarball)} is not the pinned {manifest['integrity']}")
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, members=[archive.getmember(f"package/{f}") for f in FILES], filter="data")
        for file in FILES:
            shutil.copyfile(Path(tmp) / "package" / file, TARGET / file)
    manifest["files"] = {file: sha256(TARGET / file) for file in FILES}
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"vendored {spec} into {TARGET}")


def check(manifest: dict) -> list[str]:
    """What differs from the pin: missing, changed or unlisted files."""
    wrong = [f"{f}: missing" for f in FILES if not (TARGET / f).is_file()]
    wrong += [
        f"{f}: sha256 differs"
        for f, digest in manifest.get("files", {}).items()
        if (TARGET / f).is_file() and sha256(TARGET / f) != digest
    ]
    wrong += [f"{f}: not in the manifest" for f in FILES if f not in manifest.get("files", {})]
    return wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check the vendored files against the manifest")
    args = parser.parse_args()
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    if not args.check:
        fetch(manifest)
    wrong = check(manifest)
    for line in wrong:
        print(line, file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
