"""The cat / non-cat images: find the two HDF5 files, check them, load them.

The files are not ours to redistribute, so they are never part of the
project. ``load_cat_data()`` looks for them in this order and uses the first
folder that applies:

1. the ``path`` argument (a folder), when given;
2. the folder named by the environment variable ``DNN_DATA_DIR``, when set;
3. ``datasets/`` at the root of the project (git ignores it);
4. ``../shared/data`` beside the project's root folder.

A folder chosen by the argument or the variable is used as it is (no silent
fall-back to another copy); of the two default folders, the first holding
both files wins. A missing, unreadable or malformed file raises
``CatDataError`` naming the files expected, their sha256 and where to put them.

Shapes: images are ``(m, 64, 64, 3)`` uint8, labels ``(1, m)`` integers (1 is
cat). ``flatten_and_scale`` turns images into the ``(12288, m)`` float input X.
"""
import hashlib
import os
from collections import namedtuple
from pathlib import Path

import numpy as np

ENV = "DNN_DATA_DIR"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDERS = (PROJECT_ROOT / "datasets", PROJECT_ROOT.parent / "shared" / "data")
IMAGE_SHAPE = (64, 64, 3)

# file name -> (sha256, prefix of its keys, number of images)
FILES = {
    "train_catvnoncat.h5": ("fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242",
                            "train_set", 209),
    "test_catvnoncat.h5": ("6a9d39ce52fa85953c5834695b8534a30ed8cfd54971fb2f080b5a24d002b951",
                           "test_set", 50),
}

CatData = namedtuple("CatData", "train_x train_y test_x test_y classes")
CatData.__doc__ = """The two sets as loaded: train_x (209, 64, 64, 3) uint8, train_y (1, 209),
test_x (50, 64, 64, 3) uint8, test_y (1, 50), classes [b'non-cat', b'cat']."""


class CatDataError(OSError):
    """The cat data set is missing, unreadable or not what the course expects."""


def expected_files():
    """Human-readable list of the files the course needs and their sha256."""
    return "\n".join(f"  {name}  sha256 {sha}" for name, (sha, _, _) in FILES.items())


def _where_to_put_them():
    return ("The course cannot hand these files out with its code (they are not ours to redistribute): "
            "download them from the link your instructor gives on the course page (in a JupyterHub "
            "course they are usually there already; ask if not). "
            f"Put both files in {DEFAULT_FOLDERS[0]} (git ignores that folder), or in any folder "
            f"named by the environment variable {ENV}, or pass that folder as load_cat_data(path).")


def sha256(path):
    """Hex sha256 of a file, to compare with the ones listed in ``FILES``."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _has_files(folder):
    return all((folder / name).is_file() for name in FILES)


def data_folder(path=None):
    """The folder the cat data is read from, following the order in the module docstring.

    Raises:
        CatDataError: no folder applies or the chosen one lacks a file.
    """
    if path is not None:
        folder, why = Path(path), "the folder passed as path"
    elif os.environ.get(ENV):
        folder, why = Path(os.environ[ENV]), f"the folder named by {ENV}"
    else:
        folder = next((f for f in DEFAULT_FOLDERS if _has_files(f)), None)
        if folder is None:
            searched = "\n".join(f"  {f}" for f in DEFAULT_FOLDERS)
            raise CatDataError(
                f"The cat / non-cat data set was not found. Searched (no {ENV} set):\n{searched}\n"
                f"Expected files:\n{expected_files()}\n{_where_to_put_them()}")
        return folder
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise CatDataError(
            f"{', '.join(missing)} not found in {folder} ({why}).\n"
            f"Expected files:\n{expected_files()}\n{_where_to_put_them()}")
    return folder


def _read(path, prefix, m):
    """Images, labels and class names of one file, checked against the expected layout."""
    import h5py
    name = path.name
    keys = {"x": f"{prefix}_x", "y": f"{prefix}_y", "classes": "list_classes"}
    try:
        with h5py.File(path, "r") as f:
            absent = [key for key in keys.values() if key not in f]
            if absent:
                raise CatDataError(f"{path} has no dataset {', '.join(absent)}; it holds "
                                   f"{sorted(f.keys())}. Expected files:\n{expected_files()}")
            x, y, classes = (np.array(f[keys[k]][()]) for k in ("x", "y", "classes"))
    except CatDataError:
        raise
    except (OSError, KeyError, ValueError) as exc:
        raise CatDataError(f"{path} could not be read as HDF5 ({exc}); the file may be corrupt or "
                           f"incomplete. Download it again; expected files:\n{expected_files()}") from exc
    problems = []
    if x.shape != (m, *IMAGE_SHAPE) or x.dtype != np.uint8:
        problems.append(f"{keys['x']} is {x.dtype} {x.shape}, expected uint8 {(m, *IMAGE_SHAPE)}")
    if y.shape != (m,) or not np.issubdtype(y.dtype, np.integer) or not np.isin(y, (0, 1)).all():
        problems.append(f"{keys['y']} is {y.dtype} {y.shape}, expected {m} integer labels 0 or 1")
    if classes.shape != (2,):
        problems.append(f"list_classes has shape {classes.shape}, expected two class names")
    if problems:
        raise CatDataError(f"{name} is not the course's file: " + "; ".join(problems)
                           + f". Expected files:\n{expected_files()}")
    return x, y.reshape(1, m), classes


def load_cat_data(path=None):
    """Load and check the training and test sets.

    Args:
        path: folder holding ``train_catvnoncat.h5`` and ``test_catvnoncat.h5``;
            when None, the folder is found as the module docstring explains.

    Returns:
        CatData(train_x, train_y, test_x, test_y, classes) with train_x
        (209, 64, 64, 3) uint8, train_y (1, 209), test_x (50, 64, 64, 3) uint8,
        test_y (1, 50) and classes [b'non-cat', b'cat'].

    Raises:
        CatDataError: a file is missing, unreadable, or has other keys, shapes or dtypes.
    """
    folder = data_folder(path)
    (train_name, (_, train_prefix, m_train)), (test_name, (_, test_prefix, m_test)) = FILES.items()
    train_x, train_y, classes = _read(folder / train_name, train_prefix, m_train)
    test_x, test_y, _ = _read(folder / test_name, test_prefix, m_test)
    return CatData(train_x, train_y, test_x, test_y, classes)


def flatten_and_scale(images):
    """Images (m, height, width, channels) with values 0..255 -> X of shape (h*w*c, m) in [0, 1].

    Column ``i`` is image ``i`` read row by row, pixel by pixel, channel by
    channel (C order), divided by 255. For the cat images X is (12288, m).
    """
    images = np.asarray(images)
    return images.reshape(images.shape[0], -1).T / 255.0


def load_image(path, size=IMAGE_SHAPE[:2]):
    """Read any picture file as one column of X, like the data set's images.

    The picture is converted to RGB and resized to 64 x 64 pixels.

    Args:
        path: an image file (jpg, png, ...).
        size: (height, width) to resize to.

    Returns:
        image: (64, 64, 3) uint8 array, for display.
        x: (12288, 1) float array in [0, 1], for ``predict``.
    """
    from PIL import Image
    with Image.open(path) as picture:
        image = np.asarray(picture.convert("RGB").resize((size[1], size[0])), dtype=np.uint8)
    return image, flatten_and_scale(image[np.newaxis])
