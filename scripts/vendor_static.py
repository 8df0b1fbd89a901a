"""Refresh the pinned front-end libraries in static/vendor/ from the npm registry.

    python scripts/vendor_static.py            # fetch the pinned versions, verify, write
    python scripts/vendor_static.py --check    # verify the files on disk match the pins

No CDN is used at run time: the files are committed with their licences and served by whitenoise.
To upgrade, change a version and its integrity (from https://registry.npmjs.org/<name>/<version>,
field dist.integrity) below, run the script, and commit the result.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"

# name: (version, tarball integrity, {file in the package: file written under static/vendor/})
PACKAGES = {
    "htmx.org": (
        "2.0.11",
        "sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==",
        {"dist/htmx.min.js": "htmx/htmx.min.js", "LICENSE": "htmx/LICENSE"},
    ),
    "chart.js": (
        "4.6.1",
        "sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g==",
        {"dist/chart.umd.min.js": "chartjs/chart.umd.min.js", "LICENSE.md": "chartjs/LICENSE.md"},
    ),
}
MANIFEST = VENDOR / "MANIFEST.json"


def fetch(name: str, version: str, integrity: str) -> bytes:
    url = f"https://registry.npmjs.org/{name}/-/{name.split('/')[-1]}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read()
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"{name}@{version}: integrity mismatch, refusing to write it")
    return data


def write_package(name: str, version: str, integrity: str, files: dict[str, str]) -> dict[str, str]:
    digests = {}
    with tarfile.open(fileobj=io.BytesIO(fetch(name, version, integrity)), mode="r:gz") as archive:
        for inside, target in files.items():
            member = archive.extractfile(f"package/{inside}")
            if member is None:
                raise SystemExit(f"{name}@{version} has no {inside}")
            content = member.read()
            path = VENDOR / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            digests[target] = hashlib.sha256(content).hexdigest()
    return digests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only verify the files against MANIFEST.json")
    args = parser.parse_args()
    if args.check:
        manifest = json.loads(MANIFEST.read_text())
        bad = [
            t
            for t, digest in manifest["files"].items()
            if hashlib.sha256((VENDOR / t).read_bytes()).hexdigest() != digest
        ]
        sys.exit(f"changed vendored files: {bad}" if bad else 0)
    files: dict[str, str] = {}
    for name, (version, integrity, wanted) in PACKAGES.items():
        files.update(write_package(name, version, integrity, wanted))
        print(f"{name}@{version}: {', '.join(wanted.values())}")
    versions = {name: version for name, (version, _, _) in PACKAGES.items()}
    MANIFEST.write_text(json.dumps({"packages": versions, "files": files}, indent=2) + "\n")


if __name__ == "__main__":
    main()
