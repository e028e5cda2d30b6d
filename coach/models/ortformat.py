"""Read an ONNX Runtime "ORT format" model (a flatbuffer) back into an ONNX graph.

Moonshine's English model ships only in this format. ONNX Runtime runs it as it
is, but no longer optimises it: its weights are stored as int8 and dequantised by
a Cast → Mul → Add in front of every use, on every run, which was 90 % of the
decoder's time. As an ONNX graph it can be rewritten (coach.models.moonshine_model).

The flatbuffer bindings come with onnxruntime (onnxruntime.tools.ort_format_model).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def _fbs() -> Any:
    # Importing the tools package puts its generated bindings on sys.path.
    import onnxruntime.tools.ort_format_model  # noqa: F401
    import ort_flatbuffers_py.fbs as fbs

    return fbs


def load(path: Path) -> Any:
    """The model at `path` (ORT format) as an onnx.ModelProto."""
    from onnx import helper

    fbs = _fbs()
    buffer = bytearray(path.read_bytes())
    if not fbs.InferenceSession.InferenceSession.InferenceSessionBufferHasIdentifier(buffer, 0):
        raise ValueError(f"{path}: not an ORT-format model")
    model = fbs.InferenceSession.InferenceSession.GetRootAsInferenceSession(buffer, 0).Model()
    opsets = [
        helper.make_opsetid(model.OpsetImport(i).Domain().decode(), model.OpsetImport(i).Version())
        for i in range(model.OpsetImportLength())
    ]
    return helper.make_model(
        _Reader(fbs).graph(model.Graph(), "main"),
        opset_imports=opsets,
        ir_version=model.IrVersion(),
    )


class _Reader:
    def __init__(self, fbs: Any) -> None:
        self.fbs = fbs
        self.kinds = fbs.AttributeType.AttributeType

    def graph(self, g: Any, name: str) -> Any:
        from onnx import helper

        args = {g.NodeArgs(i).Name().decode(): g.NodeArgs(i) for i in range(g.NodeArgsLength())}
        nodes = [g.Nodes(i) for i in range(g.NodesLength())]
        nodes.sort(key=lambda n: n.Index())  # the order they were stored in is topological
        initializers = [self.tensor(g.Initializers(i)) for i in range(g.InitializersLength())]
        constant = {t.name for t in initializers}
        inputs = [g.Inputs(i).decode() for i in range(g.InputsLength())]
        outputs = [g.Outputs(i).decode() for i in range(g.OutputsLength())]
        return helper.make_graph(
            [self.node(n) for n in nodes],
            name,
            [self.value_info(n, args) for n in inputs if n not in constant],
            [self.value_info(n, args) for n in outputs],
            initializers,
        )

    def node(self, n: Any) -> Any:
        from onnx import helper

        node = helper.make_node(
            n.OpType().decode(),
            [n.Inputs(i).decode() for i in range(n.InputsLength())],
            [n.Outputs(i).decode() for i in range(n.OutputsLength())],
            name=n.Name().decode() or None,
            domain=n.Domain().decode() or None,
        )
        node.attribute.extend(self.attribute(n.Attributes(i)) for i in range(n.AttributesLength()))
        return node

    def tensor(self, t: Any) -> Any:
        from onnx import TensorProto, helper

        dims = [t.Dims(i) for i in range(t.DimsLength())]
        name = t.Name().decode()
        if t.DataType() == TensorProto.STRING:
            strings = [t.StringData(i) for i in range(t.StringDataLength())]
            return helper.make_tensor(name, TensorProto.STRING, dims, strings)
        if t.ExternalDataOffset() >= 0:
            raise ValueError(f"tensor {name} is stored outside the model; not supported")
        tensor = TensorProto(name=name, data_type=t.DataType(), dims=dims)
        if t.RawDataLength():
            tensor.raw_data = np.asarray(t.RawDataAsNumpy()).tobytes()
        return tensor

    def value_info(self, name: str, args: dict[str, Any]) -> Any:
        from onnx import ValueInfoProto, helper

        arg = args.get(name)
        info = arg.Type() if arg is not None else None
        if info is None or info.ValueType() != self.fbs.TypeInfoValue.TypeInfoValue.tensor_type:
            return ValueInfoProto(name=name)
        tensor_type = self.fbs.TensorTypeAndShape.TensorTypeAndShape()
        tensor_type.Init(info.Value().Bytes, info.Value().Pos)
        shape = tensor_type.Shape()
        dims: list[int | str | None] | None = None
        if shape is not None:
            dims = []
            for i in range(shape.DimLength()):
                value = shape.Dim(i).Value()
                kind = value.DimType() if value is not None else 0  # 1: a number, 2: a name
                if kind == 1:
                    dims.append(value.DimValue())
                else:
                    dims.append(value.DimParam().decode() if kind == 2 else None)
        return helper.make_tensor_value_info(name, tensor_type.ElemType(), dims)

    def attribute(self, a: Any) -> Any:
        from onnx import AttributeProto, helper

        name, kind, k = a.Name().decode(), a.Type(), self.kinds
        if kind == k.FLOAT:
            return helper.make_attribute(name, a.F())
        if kind == k.INT:
            return helper.make_attribute(name, a.I())
        if kind == k.STRING:
            return helper.make_attribute(name, a.S())
        if kind == k.TENSOR:
            return helper.make_attribute(name, self.tensor(a.T()))
        if kind == k.GRAPH:
            return helper.make_attribute(name, self.graph(a.G(), name))
        if kind == k.FLOATS:
            floats = [a.Floats(i) for i in range(a.FloatsLength())]
            return helper.make_attribute(name, floats, attr_type=AttributeProto.FLOATS)
        if kind == k.INTS:
            ints = [a.Ints(i) for i in range(a.IntsLength())]
            return helper.make_attribute(name, ints, attr_type=AttributeProto.INTS)
        if kind == k.STRINGS:
            strings = [a.Strings(i) for i in range(a.StringsLength())]
            return helper.make_attribute(name, strings, attr_type=AttributeProto.STRINGS)
        raise ValueError(f"attribute {name}: type {kind} is not supported")
