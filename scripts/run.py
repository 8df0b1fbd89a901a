"""`make run`: migrate, load the demo business, then serve web + worker + beat (Procfile, honcho).

Runs inside scripts/devstack.py, so DATABASE_URL and REDIS_URL are already set.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    port = os.environ.get("PORT", "8000")
    manage("migrate", "--noinput")
    manage("seed_demo", "--orders", os.environ.get("DEMO_ORDERS", "2000"))
    (ROOT / ".data").mkdir(exist_ok=True)
    print(
        f"\n  COD Operations is starting at http://127.0.0.1:{port}/  (admin: /admin/, health: /healthz)\n", flush=True
    )
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    # honcho numbers ports from -p: the first Procfile entry (web) gets PORT itself.
    os.execve(str(BIN / "honcho"), ["honcho", "start", "-f", "Procfile", "-p", port], env)


if __name__ == "__main__":
    main()
