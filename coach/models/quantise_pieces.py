"""Dynamic int8 quantisation of a float ONNX model a piece of its weights at a time.

ONNX Runtime's quantiser holds two or three copies of the model it is given: for one
of Moonshine's decoder branches (220 MB of float weights) it peaked at 0.8 GB, more
than a small Raspberry Pi can spare. Here it is given the model with only one piece's
float weights in it, the others standing in as graph inputs (a MatMul or Gather whose
weight is not a constant is left alone), and each piece is quantised in a process of
its own (coach.models.moonshine_model). The weights of MatMul nodes that read one
same input (or a quantised Gather's output) are in one piece, so the input is
quantised once, as in one pass.

The float model is saved with its weights in a side file (`save_float`), from which
each piece reads only its own.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

# A piece's float weights at most (a group that reads one input is never split).
PIECE_BYTES = 32 * 2**20
OP_TYPES = ["MatMul", "Gather"]


def save_float(model: Any, path: Path) -> None:
    import onnx

    path.with_name(path.name + ".data").unlink(missing_ok=True)  # onnx appends to one
    onnx.save(
        model,
        path,
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=path.name + ".data",
    )


def pieces(path: Path) -> list[list[str]]:
    """The weights of the float model at `path`, in pieces: lists of weight names."""
    import onnx

    graph = onnx.load(path, load_external_data=False).graph
    sizes = {t.name: _size(t) for t in graph.initializer if t.data_type == onnx.TensorProto.FLOAT}
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    order: list[str] = []
    for node in graph.node:
        weight = _weight_name(node)
        if weight is None or weight not in sizes:
            continue
        order.append(weight)
        # A MatMul quantises its input once for all its readers; a quantised Gather's
        # output is already int8 to a MatMul that reads it.
        value = node.input[0] if node.op_type == "MatMul" else node.output[0]
        parent[root(weight)] = root("value:" + value)
    groups: dict[str, list[str]] = {}
    for weight in dict.fromkeys(order):
        groups.setdefault(root(weight), []).append(weight)
    # The largest first: the model as quantised so far is carried into every later
    # piece, and is smallest at the start.
    ordered = sorted(groups.values(), key=lambda g: -sum(sizes[w] for w in g))
    out: list[list[str]] = [[]]
    for group in ordered:
        if out[-1] and sum(sizes[w] for w in out[-1] + group) > PIECE_BYTES:
            out.append([])
        out[-1] += group
    return out


def quantise_piece(plain: Path, partial: Path, piece: int) -> int:
    """Quantise piece `piece` of the float model `plain`: into `partial`, the model as far
    as it is quantised (piece 0 starts it from `plain`); returns how many pieces there
    are. After the last, `partial` is the whole model quantised."""
    import onnx
    from onnx import external_data_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    weights = pieces(plain)
    if not 0 <= piece < len(weights):
        raise ValueError(f"no piece {piece} of {len(weights)}")
    float_model = onnx.load(plain, load_external_data=False)
    stored = {t.name: t for t in float_model.graph.initializer}
    later = {w for p in weights[piece + 1 :] for w in p}
    if piece == 0:
        model = float_model
        for tensor in model.graph.initializer:
            if tensor.name not in later and external_data_helper.uses_external_data(tensor):
                external_data_helper.load_external_data_for_tensor(tensor, str(plain.parent))
        kept = [t for t in model.graph.initializer if t.name not in later]
        held = [t for t in model.graph.initializer if t.name in later]
        del model.graph.initializer[:]
        model.graph.initializer.extend(kept)
        model.graph.input.extend(_as_input(t) for t in held)
    else:
        model = onnx.load(partial)
        keep_inputs = [i for i in model.graph.input if i.name not in set(weights[piece])]
        del model.graph.input[:]
        model.graph.input.extend(keep_inputs)
        for name in weights[piece]:
            tensor = stored[name]
            external_data_helper.load_external_data_for_tensor(tensor, str(plain.parent))
            model.graph.initializer.append(tensor)
    mine = set(weights[piece])
    nodes = [n.name for n in model.graph.node if _weight_name(n) in mine]
    given = partial.with_suffix(".given.onnx")
    onnx.save(model, given)
    del model, float_model, stored
    # The quantiser logs advice meant for its own users on the root logger.
    logging.getLogger().disabled = True
    try:
        # Not the convolutions: ONNX Runtime's integer convolution is slower than its
        # float one, and the encoder's three are small.
        quantize_dynamic(
            given,
            partial,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=OP_TYPES,
            nodes_to_quantize=nodes,
        )
    finally:
        logging.getLogger().disabled = False
        given.unlink(missing_ok=True)
    return len(weights)


def _weight_name(node: Any) -> str | None:
    if node.op_type == "MatMul" and len(node.input) == 2:
        return str(node.input[1])
    if node.op_type == "Gather":
        return str(node.input[0])
    return None


def _size(tensor: Any) -> int:
    count = 1
    for dim in tensor.dims:
        count *= dim
    return count * 4


def _as_input(tensor: Any) -> Any:
    from onnx import helper

    return helper.make_tensor_value_info(tensor.name, tensor.data_type, list(tensor.dims))
