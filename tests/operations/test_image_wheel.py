"""The container image is the package's wheel installed into a slim Python (Dockerfile): the
wheel must hold everything the running registry reads besides code (every migration, template
and static file), or an image would start and fail on its first page or upgrade."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "src" / "article6"


def test_the_wheel_holds_every_migration_template_and_static_file(tmp_path: Path):
    # What the image's build stage is given (.dockerignore), copied: pip builds in the tree.
    context = tmp_path / "context"
    shutil.copytree(
        ROOT / "src",
        context / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, context / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(context),
        ],
        check=True,
        capture_output=True,
        cwd=context,
    )
    (wheel,) = tmp_path.glob("article6-*.whl")
    packed = set(zipfile.ZipFile(wheel).namelist())
    wanted = [
        path
        for pattern in ("store/migrations/**/*.py", "**/templates/*.html", "web/static/*")
        for path in PACKAGE.glob(pattern)
        if "__pycache__" not in path.parts
    ]

    assert len(wanted) > 40
    missing = [
        str(p.relative_to(PACKAGE))
        for p in wanted
        if f"article6/{p.relative_to(PACKAGE)}" not in packed
    ]
    assert missing == []
    assert "article6/py.typed" in packed


def test_the_image_runs_the_server_on_all_addresses_and_checks_its_liveness():
    dockerfile = (ROOT / "Dockerfile").read_text()
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    ignored = [line for line in lines if line and not line.startswith("#")]

    assert 'CMD ["article6", "serve", "--host", "0.0.0.0", "--port", "8000"]' in dockerfile
    assert "http://127.0.0.1:8000/health/live" in dockerfile
    assert "USER article6" in dockerfile
    # The build context is only what the wheel is built from.
    assert ignored[0] == "*" and {"!pyproject.toml", "!README.md", "!LICENSE", "!src/"} <= set(
        ignored
    )
