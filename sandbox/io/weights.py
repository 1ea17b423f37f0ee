"""Network weights in and out: the project's .npz format and PyTorch files of nn.Sequential models.

The .npz format holds `format` ("neural-origami-weights"), `format_version` (2) and W1, b1, ...,
Wn, bn as float64 with W of shape (out, in), the PyTorch convention, so files round-trip bit for
bit; version 2 adds `activation` (a name of sandbox.vocab.Activation), `negative_slope` (float)
and `residual` (0 or 1). Version 1 files (no activation) are ReLU networks and still load.
Reading never unpickles: the zip members are parsed with numpy's .npy header readers and the
data is read with bounded sizes, so a corrupt, truncated or hostile file gives a ValueError that
names the file, never another exception and never a huge allocation. Writing goes through
sandbox.io.atomic (a temporary file in the same folder, then os.replace), so a crash never leaves
half a file. PyTorch is optional: .pt/.pth files holding a state_dict, or a whole nn.Sequential
of Linear layers and one activation (ReLU, LeakyReLU, Hardtanh, Tanh, Sigmoid, GELU), load when
torch is installed; the unpickler only admits torch's own layer classes. A state_dict does not
record activations, so every gap between two Linear layers' indices (as in "0.weight",
"2.weight") is read as a ReLU unless the caller names the activation, and Linear layers with
adjacent indices are refused. `torch_sequential` and `torch_state_dict` go the other way: the
matching nn.Sequential (Linear, activation, Linear, ...) and its state_dict; a residual network's
state_dict has the same keys, and its module adds each residual layer's input (see
`torch_sequential`).
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..nn.activations import check_negative_slope, parse_activation
from ..nn.mlp import INPUT_WIDTH, MLP
from ..vocab import Activation
from .atomic import atomic_write_bytes

FORMAT_NAME = "neural-origami-weights"
FORMAT_VERSION = 2  # 2: activation, negative_slope and residual
MAX_FILE_BYTES = 64 << 20
# 8 hidden layers of 256: the largest array an MLP can hold is 256 x 256
MAX_ARRAY_ELEMENTS = 256 * 256
MAX_MEMBERS = 64
TORCH_SUFFIXES = (".pt", ".pth")

Layers = list[tuple[np.ndarray, np.ndarray]]


# ----------------------------------------------------------------------------- writing
def _layers_of(net: MLP | Sequence[tuple[np.ndarray, np.ndarray]]) -> Layers:
    if isinstance(net, MLP):
        return net.weights()
    return MLP.from_weights(net).weights()


def weights_to_bytes(net: MLP | Sequence[tuple[np.ndarray, np.ndarray]]) -> bytes:
    """The .npz bytes of a network (or of [(W1, b1), ...], checked by MLP.from_weights)."""
    kind = net if isinstance(net, MLP) else MLP.from_weights(net)
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT_NAME),
        "format_version": np.array(FORMAT_VERSION, dtype=np.int64),
        "activation": np.array(kind.activation.value),
        "negative_slope": np.array(float(kind.negative_slope)),
        "residual": np.array(1 if kind.residual else 0, dtype=np.int64),
    }
    for i, (W, b) in enumerate(_layers_of(net), start=1):
        arrays[f"W{i}"] = np.ascontiguousarray(W, dtype=np.float64)
        arrays[f"b{i}"] = np.ascontiguousarray(b, dtype=np.float64)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def save_weights(
    net: MLP | Sequence[tuple[np.ndarray, np.ndarray]], path: str | os.PathLike
) -> None:
    """Save a network as .npz (W of shape (out, in)); atomic."""
    atomic_write_bytes(path, weights_to_bytes(net))


# ----------------------------------------------------------------------------- reading .npz
def _read_npy(member: io.BufferedIOBase, name: str, what: str) -> np.ndarray:
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
    else:
        raise ValueError(f"{what}: array {name!r} has .npy version {version}; allowed: 1.0, 2.0")
    if dtype.hasobject or dtype.kind not in "fiuU" or dtype.subdtype is not None:
        raise ValueError(f"{what}: array {name!r} has type {dtype}; allowed: numbers")
    count = 1
    for s in shape:
        count *= int(s)
    if count > MAX_ARRAY_ELEMENTS:
        raise ValueError(
            f"{what}: array {name!r} has shape {shape}; allowed: at most "
            f"{MAX_ARRAY_ELEMENTS} values"
        )
    nbytes = count * dtype.itemsize
    data = member.read(nbytes + 1)
    if len(data) != nbytes:
        raise ValueError(
            f"{what}: array {name!r} should hold {nbytes} bytes of data, found {len(data)}"
        )
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def _read_npz(data: bytes, what: str) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ValueError(f"{what} holds {len(infos)} entries; allowed: at most {MAX_MEMBERS}")
        arrays = {}
        for info in infos:
            if not info.filename.endswith(".npy"):
                continue
            name = info.filename[:-4]
            with zf.open(info) as member:
                arrays[name] = _read_npy(member, name, what)
        return arrays


def _kind_of(arrays: Mapping[str, np.ndarray], what: str) -> dict:
    """The activation and residual switch of a version 2 file (version 1: ReLU)."""
    if int(arrays["format_version"]) < 2:
        return {}
    act, slope, res = (arrays.get(k) for k in ("activation", "negative_slope", "residual"))
    if act is None or act.shape != () or act.dtype.kind != "U":
        raise ValueError(f"{what} lacks its 'activation' name")
    if slope is None or slope.shape != () or slope.dtype.kind != "f":
        raise ValueError(f"{what} lacks its 'negative_slope' number")
    if res is None or res.shape != () or res.dtype.kind not in "iu" or int(res) not in (0, 1):
        raise ValueError(f"{what} lacks its 'residual' switch (0 or 1)")
    try:
        return {
            "activation": parse_activation(str(act)),
            "negative_slope": check_negative_slope(float(slope)),
            "residual": bool(int(res)),
        }
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None


def _as_layers(arrays: Mapping[str, np.ndarray], what: str) -> Layers:
    fmt = arrays.get("format")
    if fmt is None or fmt.shape != () or fmt.dtype.kind != "U" or str(fmt) != FORMAT_NAME:
        raise ValueError(f"{what} is not a Neural Origami weights file (no 'format' entry)")
    version = arrays.get("format_version")
    if version is None or version.shape != () or version.dtype.kind not in "iu":
        raise ValueError(f"{what} lacks an integer 'format_version'")
    if not 1 <= int(version) <= FORMAT_VERSION:
        raise ValueError(
            f"{what} has format version {int(version)}; this program reads versions 1 to "
            f"{FORMAT_VERSION} (a newer program may have written it)"
        )
    layers = []
    i = 1
    while f"W{i}" in arrays or f"b{i}" in arrays:
        W, b = arrays.get(f"W{i}"), arrays.get(f"b{i}")
        if W is None or b is None:
            raise ValueError(f"{what} has only one of 'W{i}' and 'b{i}'; both are needed")
        for name, a in ((f"W{i}", W), (f"b{i}", b)):
            if a.dtype.kind != "f":
                raise ValueError(f"{what}: {name!r} has type {a.dtype}; allowed: floating point")
        layers.append((W.astype(np.float64), b.astype(np.float64)))
        i += 1
    if not layers:
        raise ValueError(f"{what} holds no layers (expected W1, b1, ...)")
    return layers


def _load_bytes(path: str | os.PathLike) -> tuple[bytes, str]:
    path = Path(path)
    what = f"weights file {str(path)!r}"
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValueError(f"{what} is {size} bytes; allowed: at most {MAX_FILE_BYTES}")
        return path.read_bytes(), what
    except OSError as exc:
        raise ValueError(f"cannot read {what}: {exc.strerror or exc}") from None


def weights_from_bytes(data: bytes, what: str = "weights data") -> MLP:
    """Parse .npz bytes written by weights_to_bytes; ValueError for anything else."""
    try:
        arrays = _read_npz(data, what)
    except ValueError:
        raise
    except Exception as exc:
        # A damaged zip can fail in zipfile, zlib, struct or numpy's header parser with many
        # exception types; at this boundary they all mean the same thing to the user.
        raise ValueError(
            f"{what} is corrupt or not an .npz file ({type(exc).__name__}: {exc})"
        ) from None
    layers = _as_layers(arrays, what)
    return build_network(layers, what, **_kind_of(arrays, what))


def load_weights(path: str | os.PathLike) -> MLP:
    """Load a .npz weights file written by save_weights."""
    data, what = _load_bytes(path)
    return weights_from_bytes(data, what)


# ----------------------------------------------------------------------------- building
def build_network(
    layers: Sequence[tuple[np.ndarray, np.ndarray]], what: str = "network", **kind: Any
) -> MLP:
    """MLP.from_weights (with `kind`: activation, negative_slope, residual) with messages for
    what the sandbox cannot show, naming `what`."""
    layers = [(np.asarray(W), np.asarray(b)) for W, b in layers]
    if len(layers) < 2:
        raise ValueError(
            f"{what} has {len(layers)} Linear layer(s); at least 2 are needed "
            "(a hidden layer and an output layer)"
        )
    W1 = layers[0][0]
    if W1.ndim == 2 and W1.shape[1] != INPUT_WIDTH:
        raise ValueError(
            f"{what}: first layer has {W1.shape[1]} inputs; only {INPUT_WIDTH} allowed "
            "(points of the plane)"
        )
    try:
        return MLP.from_weights(layers, **kind)
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None


def _to_numpy(value: Any, name: str, what: str) -> np.ndarray:
    try:
        if hasattr(value, "detach"):  # a torch tensor; bfloat16 has no numpy twin, hence double()
            value = value.detach().cpu().double().numpy()
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f"{what}: entry {name!r} is not an array of real numbers") from None


def mlp_from_state_dict(state: Mapping[str, Any], what: str = "state dict", **kind: Any) -> MLP:
    """Build an MLP from a state_dict of an nn.Sequential of Linear and activation layers.

    Keys look like "0.weight", "0.bias", "2.weight" (any prefix, e.g. "net.0.weight"). Values
    are tensors or arrays. A gap in the layer indices is the hidden activation: ReLU unless
    `kind` names another (activation=, negative_slope=, residual=, as MLP takes them).
    """
    modules: dict[str, dict[str, np.ndarray]] = {}
    for key, value in state.items():
        if not isinstance(key, str) or "." not in key:
            raise ValueError(f"{what}: key {key!r} is not 'layer.weight' or 'layer.bias'")
        module, param = key.rsplit(".", 1)
        if param not in ("weight", "bias"):
            raise ValueError(
                f"{what}: layer {module} has a {param!r} entry; only Linear layers and "
                "activations can be shown (normalisation and other layers are not supported)"
            )
        modules.setdefault(module, {})[param] = _to_numpy(value, key, what)
    layers: Layers = []
    previous: str | None = None
    for module, params in modules.items():
        if "weight" not in params:
            raise ValueError(f"{what}: layer {module} has a bias but no weight")
        W = params["weight"]
        if W.ndim != 2:
            raise ValueError(
                f"{what}: layer {module} has a weight of shape {W.shape}; only Linear layers "
                "(2-D weights) and ReLU layers can be shown"
            )
        b = params.get("bias", np.zeros(W.shape[0]))
        if previous is not None and _adjacent(previous, module):
            raise ValueError(
                f"{what}: Linear layers {previous} and {module} follow each other with no ReLU "
                "between them; only Linear layers separated by ReLU can be shown"
            )
        layers.append((W, b))
        previous = module
    if not layers:
        raise ValueError(f"{what} holds no Linear layers")
    return build_network(layers, what, **kind)


def _adjacent(a: str, b: str) -> bool:
    pa, _, ia = a.rpartition(".")
    pb, _, ib = b.rpartition(".")
    return pa == pb and ia.isdigit() and ib.isdigit() and int(ib) == int(ia) + 1


def _activation_of(child: Any, name: str, what: str) -> tuple[Activation, float] | None:
    """The activation a torch layer is (with leaky ReLU's slope), or None for other layers."""
    import torch.nn as nn

    if isinstance(child, nn.ReLU):
        return Activation.RELU, 0.01
    if isinstance(child, nn.LeakyReLU):
        return Activation.LEAKY_RELU, check_negative_slope(child.negative_slope)
    if isinstance(child, nn.Hardtanh):
        if (child.min_val, child.max_val) != (-1.0, 1.0):
            raise ValueError(
                f"{what}: layer {name} is Hardtanh({child.min_val:g}, {child.max_val:g}); "
                "only Hardtanh(-1, 1) can be shown"
            )
        return Activation.HARDTANH, 0.01
    if isinstance(child, nn.Identity):
        return Activation.LINEAR, 0.01
    if isinstance(child, nn.Tanh):
        return Activation.TANH, 0.01
    if isinstance(child, nn.Sigmoid):
        return Activation.SIGMOID, 0.01
    if isinstance(child, nn.GELU):
        if child.approximate != "none":
            raise ValueError(
                f"{what}: layer {name} is GELU(approximate={child.approximate!r}); only the exact "
                "GELU() can be shown"
            )
        return Activation.GELU, 0.01
    return None


ACCEPTED_LAYERS = "Linear with ReLU, LeakyReLU, Hardtanh, Tanh, Sigmoid or GELU"


def mlp_from_sequential(model: Any, what: str = "model") -> MLP:
    """Build an MLP from a torch nn.Sequential of Linear layers with one activation between them
    (ReLU, LeakyReLU, Hardtanh, Tanh, Sigmoid or GELU; nested Sequentials flattened)."""
    import torch.nn as nn

    if not isinstance(model, nn.Sequential):
        raise ValueError(
            f"{what} is a {type(model).__name__}; only an nn.Sequential (or its state_dict) "
            "can be loaded"
        )

    def flatten(seq: nn.Sequential, prefix: str) -> list[tuple[str, nn.Module]]:
        out = []
        for name, child in seq.named_children():
            if isinstance(child, nn.Sequential):
                out += flatten(child, f"{prefix}{name}.")
            else:
                out.append((f"{prefix}{name}", child))
        return out

    layers: Layers = []
    last = None
    kind: tuple[Activation, float] | None = None
    for name, child in flatten(model, ""):
        if isinstance(child, nn.Linear):
            if last == "linear":
                raise ValueError(
                    f"{what}: layer {name} is a Linear layer right after another Linear layer; "
                    "only Linear layers separated by an activation can be shown"
                )
            W = _to_numpy(child.weight, f"{name}.weight", what)
            b = (
                _to_numpy(child.bias, f"{name}.bias", what)
                if child.bias is not None
                else np.zeros(W.shape[0])
            )
            layers.append((W, b))
            last = "linear"
            continue
        act = _activation_of(child, name, what)
        if act is None:
            raise ValueError(
                f"{what}: layer {name} is {type(child).__name__}; allowed: {ACCEPTED_LAYERS}"
            )
        if last is None:
            raise ValueError(
                f"{what}: layer {name} is {type(child).__name__}; the first layer must be Linear"
            )
        if last == "activation":
            raise ValueError(f"{what}: layer {name} is a second activation in a row")
        if kind is not None and kind != act:
            raise ValueError(
                f"{what}: layer {name} is {type(child).__name__} but an earlier hidden layer "
                f"uses {kind[0].value}; every hidden layer must use the same activation"
            )
        kind = act
        last = "activation"
    if last == "activation":
        raise ValueError(
            f"{what}: the last layer is an activation; the output layer must be Linear"
        )
    act, slope = kind if kind is not None else (Activation.RELU, 0.01)
    return build_network(layers, what, activation=act, negative_slope=slope)


def torch_sequential(net: MLP) -> Any:
    """The matching torch nn.Sequential (float64): Linear, activation, ..., Linear, with this
    network's weights. abs and sin have no torch layer: they are refused. A residual network
    has no Sequential form: its module is these layers with each residual hidden layer's input
    added to its activation's output (`net.residual_layers` says which); ValueError here."""
    import torch
    import torch.nn as nn

    if net.residual:
        raise ValueError(
            "a residual network has no nn.Sequential form; use torch_state_dict and a module "
            "that adds each residual layer's input (net.residual_layers)"
        )
    make = {
        Activation.RELU: nn.ReLU,
        Activation.LEAKY_RELU: lambda: nn.LeakyReLU(net.negative_slope),
        Activation.HARDTANH: nn.Hardtanh,
        Activation.LINEAR: nn.Identity,
        Activation.TANH: nn.Tanh,
        Activation.SIGMOID: nn.Sigmoid,
        Activation.GELU: nn.GELU,
    }.get(net.activation)
    if make is None:
        raise ValueError(
            f"torch has no {net.activation.value} layer; allowed for export: relu, leaky_relu, "
            "hardtanh, linear, tanh, sigmoid, gelu"
        )
    mods: list[nn.Module] = []
    for i, (W, b) in enumerate(net.weights()):
        lin = nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        mods.append(lin)
        if i < net.n_hidden_layers:
            mods.append(make())
    return nn.Sequential(*mods)


def torch_state_dict(net: MLP) -> dict[str, Any]:
    """The state_dict of `torch_sequential(net)` ("0.weight", "0.bias", "2.weight", ...): float64
    tensors, the activation layers leaving the gaps in the indices. Residual networks too (the
    same keys)."""
    import torch

    out = {}
    for i, (W, b) in enumerate(net.weights()):
        out[f"{2 * i}.weight"] = torch.from_numpy(W)
        out[f"{2 * i}.bias"] = torch.from_numpy(b)
    return out


def torch_available() -> bool:
    """Whether PyTorch can be imported here (it is optional)."""
    return importlib.util.find_spec("torch") is not None


def save_torch(net: MLP, path: str | os.PathLike) -> str:
    """Save the network for PyTorch (atomic): the nn.Sequential itself where there is one (it
    loads back with its activation, here and with torch.load(path, weights_only=False)), else
    its state_dict (residual networks, abs, sin: torch has no Sequential for them). Returns
    what was saved ("nn.Sequential" or "state_dict"). ValueError when torch is missing."""
    try:
        import torch
    except ImportError:
        raise ValueError(
            "PyTorch is not installed (pip install torch); Export net saves .npz, which needs "
            "nothing more"
        ) from None
    try:
        obj, what = torch_sequential(net), "nn.Sequential"
    except ValueError:
        obj, what = torch_state_dict(net), "state_dict"
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return what


def _torch_safe_classes() -> list[type]:
    """torch's own layer classes the unpickler may build (so a Tanh gets a clear message)."""
    import torch.nn as nn

    names = (
        "Sequential Linear ReLU Tanh Sigmoid GELU LeakyReLU ELU SELU SiLU Softplus Softmax "
        "LogSoftmax Hardtanh ReLU6 Mish Dropout Identity Flatten BatchNorm1d LayerNorm"
    ).split()
    return [getattr(nn, n) for n in names if hasattr(nn, n)]


def _unwrap_checkpoint(obj: Any) -> Any:
    """A checkpoint dict that wraps the state_dict under a common key yields that state_dict."""
    if isinstance(obj, Mapping):
        for key in ("state_dict", "model_state_dict", "model"):
            inner = obj.get(key)
            if isinstance(inner, Mapping):
                return inner
    return obj


def load_torch(path: str | os.PathLike) -> MLP:
    """Load a .pt/.pth file holding a state_dict or a whole nn.Sequential (torch required)."""
    path = Path(path)
    what = f"PyTorch file {str(path)!r}"
    try:
        import torch
    except ImportError:
        raise ValueError(
            f"cannot read {what}: PyTorch is not installed (pip install torch), "
            "or save the network as .npz"
        ) from None
    if not path.is_file():
        raise ValueError(f"cannot read {what}: no such file")
    try:
        with torch.serialization.safe_globals(_torch_safe_classes()):
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        # torch.load reports a damaged or foreign file with many exception types.
        match = re.search(r"GLOBAL ([\w.]+)", str(exc))
        if match:
            raise ValueError(
                f"{what} holds a {match.group(1)} object; only an nn.Sequential of "
                f"{ACCEPTED_LAYERS} layers, or its state_dict, can be loaded"
            ) from None
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ValueError(
            f"{what} is corrupt or not a PyTorch file ({type(exc).__name__}: {first})"
        ) from None
    obj = _unwrap_checkpoint(obj)
    if isinstance(obj, Mapping):
        return mlp_from_state_dict(obj, what)
    return mlp_from_sequential(obj, what)


def load_network(path: str | os.PathLike) -> MLP:
    """Load weights by file type: .npz (this program's format) or .pt/.pth (PyTorch)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".npz":
        return load_weights(path)
    if suffix in TORCH_SUFFIXES:
        return load_torch(path)
    raise ValueError(
        f"weights file {str(path)!r} has the extension {suffix or '(none)'!r}; "
        "allowed: .npz, .pt, .pth"
    )
