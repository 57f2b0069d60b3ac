"""The first code cell of every chapter: on Google Colab it installs ``servingmath`` from the book's
repository (the one ``repository`` setting of ``_config.yml``); anywhere else it does nothing. The book
hides it (``remove-cell``); ``make execute`` writes it (``set_colab_cell``)."""

import json
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
TAGS = ["remove-cell", "colab-install"]


def requirement(config: Path = ROOT / "_config.yml") -> str:
    """The pip requirement for the library at the configured repository and branch."""
    repo = yaml.safe_load(config.read_text())["repository"]
    return f"servingmath @ git+{repo['url'].rstrip('/')}@{repo.get('branch', 'main')}#subdirectory=lib"


def source(config: Path = ROOT / "_config.yml") -> str:
    return "\n".join([
        "# On Google Colab, install the book's library first (Binder and `make lab` have it already).",
        "import subprocess",
        "import sys",
        "",
        'if "google.colab" in sys.modules:',
        '    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",',
        f"                    {json.dumps(requirement(config))}], check=True)",
    ])


def set_colab_cell(nb) -> None:
    """Make the notebook's first code cell the install cell (replacing an older one)."""
    cells = [c for c in nb.cells if "colab-install" not in c.get("metadata", {}).get("tags", [])]
    cell = nbformat.v4.new_code_cell(source(), metadata={"tags": list(TAGS)})
    cell.id = "colab-install"
    first = next(i for i, c in enumerate(cells) if c.cell_type == "code")
    nb.cells = cells[:first] + [cell] + cells[first:]
