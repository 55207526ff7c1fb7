"""A virtual environment that cannot see the project, with a student kit installed in it."""
import subprocess
import sys
import sysconfig
from pathlib import Path


def environment_without_the_project(folder):
    """A fresh venv at ``folder``; third-party packages come from this interpreter's environment
    through a plain path entry (its .pth files, the project's editable install among them, are not
    processed). Returns (its python, its site-packages folder)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = Path(folder) / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c",
                                   "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    (purelib / "third_party.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, purelib


def install_kit(wheel, purelib):
    """Install a kit's wheel into ``purelib`` (replacing what is there, as pip would)."""
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--force-reinstall", "--target", str(purelib), str(wheel)], check=True, capture_output=True)
