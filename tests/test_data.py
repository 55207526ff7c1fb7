"""dnn_utils.data: where the cat data is looked for, what is checked, and the errors it gives."""
import h5py
import numpy as np
import pytest

from conftest import requires_cat_data
from dnn_utils import data
from dnn_utils.data import CatDataError, data_folder, flatten_and_scale, load_cat_data, load_image


def _write_set(path, prefix, m, *, x_shape=None, x_dtype=np.uint8, y=None, drop=()):
    """A small HDF5 file laid out like the course's (or broken as asked)."""
    rng = np.random.RandomState(m)
    contents = {
        f"{prefix}_x": rng.randint(0, 256, size=x_shape or (m, 64, 64, 3)).astype(x_dtype),
        f"{prefix}_y": np.asarray(y if y is not None else rng.randint(0, 2, size=m), dtype=np.int64),
        "list_classes": np.array([b"non-cat", b"cat"]),
    }
    with h5py.File(path, "w") as f:
        for key, value in contents.items():
            if key not in drop:
                f.create_dataset(key, data=value)


def _write_folder(folder, **broken):
    """Both files in ``folder``; ``broken`` applies to the training file only."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_set(folder / "train_catvnoncat.h5", "train_set", 209, **broken)
    _write_set(folder / "test_catvnoncat.h5", "test_set", 50)
    return folder


@pytest.fixture
def no_defaults(monkeypatch, tmp_path):
    """No DNN_DATA_DIR and default folders that do not exist."""
    monkeypatch.delenv(data.ENV, raising=False)
    monkeypatch.setattr(data, "DEFAULT_FOLDERS", (tmp_path / "none-1", tmp_path / "none-2"))
    return tmp_path


# -- on the real files ------------------------------------------------------------------------

@requires_cat_data
def test_real_data_has_the_documented_shapes_and_counts(cat_data):
    assert cat_data.train_x.shape == (209, 64, 64, 3) and cat_data.train_x.dtype == np.uint8
    assert cat_data.test_x.shape == (50, 64, 64, 3) and cat_data.test_x.dtype == np.uint8
    assert cat_data.train_y.shape == (1, 209) and int(cat_data.train_y.sum()) == 72
    assert cat_data.test_y.shape == (1, 50) and int(cat_data.test_y.sum()) == 33
    assert list(cat_data.classes) == [b"non-cat", b"cat"]


@requires_cat_data
def test_real_files_match_the_documented_checksums():
    folder = data_folder()
    for name, (sha, _, _) in data.FILES.items():
        assert data.sha256(folder / name) == sha, name


@requires_cat_data
def test_flattened_real_data(cat_data):
    X = flatten_and_scale(cat_data.train_x)
    assert X.shape == (12288, 209) and X.dtype == np.float64
    assert 0.0 <= X.min() and X.max() <= 1.0
    np.testing.assert_array_equal(X[:, 7] * 255, cat_data.train_x[7].ravel())


# -- where the files are looked for -----------------------------------------------------------

def test_argument_comes_first(monkeypatch, tmp_path, no_defaults):
    _write_folder(tmp_path / "mine")
    monkeypatch.setenv(data.ENV, str(tmp_path / "elsewhere"))
    assert data_folder(tmp_path / "mine") == tmp_path / "mine"
    assert load_cat_data(tmp_path / "mine").train_x.shape == (209, 64, 64, 3)


def test_environment_variable_comes_before_the_default_folders(monkeypatch, tmp_path):
    default = _write_folder(tmp_path / "datasets")
    chosen = _write_folder(tmp_path / "from-env")
    monkeypatch.setattr(data, "DEFAULT_FOLDERS", (default,))
    monkeypatch.setenv(data.ENV, str(chosen))
    assert data_folder() == chosen


def test_a_folder_named_explicitly_is_used_without_fall_back(monkeypatch, tmp_path):
    default = _write_folder(tmp_path / "datasets")
    monkeypatch.setattr(data, "DEFAULT_FOLDERS", (default,))
    monkeypatch.setenv(data.ENV, str(tmp_path / "empty"))
    with pytest.raises(CatDataError, match=f"named by {data.ENV}"):
        data_folder()
    with pytest.raises(CatDataError, match="the folder passed as path"):
        data_folder(tmp_path / "empty")


def test_default_folders_in_order_first_complete_one_wins(monkeypatch, tmp_path):
    first, second = tmp_path / "datasets", tmp_path / "shared"
    _write_folder(second)
    monkeypatch.delenv(data.ENV, raising=False)
    monkeypatch.setattr(data, "DEFAULT_FOLDERS", (first, second))
    assert data_folder() == second
    _write_folder(first)
    assert data_folder() == first


def test_default_folders_are_relative_to_the_project():
    root = data.PROJECT_ROOT
    assert (root / "dnn_utils" / "data.py").is_file()
    assert data.DEFAULT_FOLDERS == (root / "datasets", root.parent / "shared" / "data")


# -- errors -----------------------------------------------------------------------------------

def test_missing_files_say_which_files_and_where_to_put_them(no_defaults):
    with pytest.raises(CatDataError) as caught:
        load_cat_data()
    message = str(caught.value)
    for name, (sha, _, _) in data.FILES.items():
        assert name in message and sha in message
    assert f"Put both files in {no_defaults / 'none-1'}" in message
    assert str(no_defaults / "none-2") in message, "every folder searched is listed"
    assert data.ENV in message and "load_cat_data(path)" in message
    assert isinstance(caught.value, OSError)


def test_one_missing_file_is_named(tmp_path):
    folder = _write_folder(tmp_path / "d")
    (folder / "test_catvnoncat.h5").unlink()
    with pytest.raises(CatDataError, match="test_catvnoncat.h5 not found"):
        load_cat_data(folder)


def test_missing_key(tmp_path):
    folder = _write_folder(tmp_path / "d", drop=("train_set_y",))
    with pytest.raises(CatDataError, match="has no dataset train_set_y"):
        load_cat_data(folder)


@pytest.mark.parametrize("broken, words", [
    ({"x_shape": (209, 32, 32, 3)}, "expected uint8 (209, 64, 64, 3)"),
    ({"x_shape": (208, 64, 64, 3), "y": np.zeros(208)}, "expected uint8 (209, 64, 64, 3)"),
    ({"x_dtype": np.float32}, "train_set_x is float32"),
    ({"y": np.full(209, 2)}, "209 integer labels 0 or 1"),
])
def test_wrong_shape_or_type(tmp_path, broken, words):
    folder = _write_folder(tmp_path / "d", **broken)
    with pytest.raises(CatDataError, match="not the course's file") as caught:
        load_cat_data(folder)
    assert words in str(caught.value)


@pytest.mark.parametrize("content", [b"", b"this is not an HDF5 file\n" * 10])
def test_corrupt_file(tmp_path, content):
    folder = _write_folder(tmp_path / "d")
    (folder / "train_catvnoncat.h5").write_bytes(content)
    with pytest.raises(CatDataError, match="could not be read as HDF5") as caught:
        load_cat_data(folder)
    assert data.FILES["train_catvnoncat.h5"][0] in str(caught.value)


def test_truncated_file(tmp_path):
    folder = _write_folder(tmp_path / "d")
    path = folder / "train_catvnoncat.h5"
    path.write_bytes(path.read_bytes()[: 100_000])
    with pytest.raises(CatDataError):
        load_cat_data(folder)


# -- shapes -----------------------------------------------------------------------------------

def test_loaded_labels_are_rows(tmp_path):
    loaded = load_cat_data(_write_folder(tmp_path / "d", y=np.arange(209) % 2))
    assert loaded.train_y.shape == (1, 209) and loaded.test_y.shape == (1, 50)
    np.testing.assert_array_equal(loaded.train_y[0], np.arange(209) % 2)


def test_flatten_and_scale_puts_each_image_in_a_column():
    images = np.arange(2 * 2 * 3 * 3, dtype=np.uint8).reshape(2, 2, 3, 3)
    X = flatten_and_scale(images)
    assert X.shape == (18, 2)
    np.testing.assert_allclose(X[:, 1], images[1].ravel() / 255)
    assert images.dtype == np.uint8, "the input is left alone"


def test_load_image_resizes_any_picture_to_one_column(tmp_path):
    from PIL import Image
    path = tmp_path / "picture.png"
    Image.fromarray(np.full((100, 80, 4), 200, dtype=np.uint8), mode="RGBA").save(path)
    image, x = load_image(path)
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8
    assert x.shape == (12288, 1)
    np.testing.assert_allclose(x, 200 / 255)
