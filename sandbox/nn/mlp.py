"""The multilayer perceptron: architecture limits, initialisation and the numpy forward pass.

An MLP maps R^2 to K logits (classification, K = 2..6) or to one value (regression) through 1..8
hidden layers of width 1..256, all with one activation (ReLU by default; see
`sandbox.nn.activations`). With `residual=True`, every hidden layer after the first whose width
equals the previous one's adds its input: h_l = h_{l-1} + act(W_l h_{l-1} + b_l).
Weights follow the PyTorch convention, W of shape (out, in).
All parameters live in one contiguous float64 vector (`params`); the per-layer W and b are views
into it, so the numba trainer can update everything in place with one array argument and the
rest of the program always sees the current weights without copying.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sandbox.vocab import (
    DEFAULT_NEGATIVE_SLOPE,
    MAX_CLASSES,
    MAX_HIDDEN_LAYERS,
    MAX_WIDTH,
    Activation,
    max_width,
)

from .activations import activate, check_negative_slope, parse_activation, pieces

INPUT_WIDTH = 2
DEFAULT_BIAS_STD = 0.1
# forward() and features() take this many points at a time: a wide layer's activations then
# stay in the cache (a 500-neuron layer over a 25,000-point grid: 2-3x faster than all at once)
FORWARD_ROWS = 1024


def validate_sizes(sizes: Sequence[int]) -> list[int]:
    """Check a layer-size list [2, h1, ..., hL, out] and return it as plain ints.

    Raises ValueError naming the offending value and what is allowed.
    """
    try:
        sizes = [int(s) for s in sizes]
    except (TypeError, ValueError):
        raise ValueError(f"layer sizes must be integers, got {sizes!r}") from None
    if len(sizes) < 3:
        raise ValueError(
            f"layer sizes {sizes} need an input, at least one hidden layer and an output, "
            "e.g. [2, 16, 2]"
        )
    if sizes[0] != INPUT_WIDTH:
        raise ValueError(f"input width is {sizes[0]}; only 2 inputs (points of the plane) allowed")
    hidden = sizes[1:-1]
    if len(hidden) > MAX_HIDDEN_LAYERS:
        raise ValueError(
            f"{len(hidden)} hidden layers requested; allowed: 1 to {MAX_HIDDEN_LAYERS}"
        )
    widest = max_width(len(hidden))
    for i, width in enumerate(hidden, start=1):
        if not 1 <= width <= widest:
            deep = f" ({MAX_WIDTH} with more than one hidden layer)" if widest > MAX_WIDTH else ""
            raise ValueError(f"hidden layer {i} has width {width}; allowed: 1 to {widest}{deep}")
    out = sizes[-1]
    if not (out == 1 or 2 <= out <= MAX_CLASSES):
        raise ValueError(
            f"output width is {out}; allowed: 1 (regression) or 2 to {MAX_CLASSES} classes"
        )
    return sizes


def _layout(sizes: Sequence[int]) -> np.ndarray:
    """Offsets of each layer in the flat parameter vector.

    Row l is (w_offset, n_out, n_in, b_offset); W_l occupies n_out * n_in entries in row-major
    (out, in) order starting at w_offset, and b_l the next n_out entries.
    """
    rows = []
    offset = 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        rows.append((offset, n_out, n_in, offset + n_out * n_in))
        offset += n_out * n_in + n_out
    return np.asarray(rows, dtype=np.int64)


# the keyword arguments that set a network's kind (MLP.kind()), in this order
KIND_KEYS = ("activation", "negative_slope", "residual")


def residual_flags(sizes: Sequence[int], residual: bool) -> list[bool]:
    """For each hidden layer, whether it is a residual layer: `residual` is on, it is not the
    first hidden layer, and its width equals the previous hidden layer's."""
    hidden = list(sizes[1:-1])
    return [bool(residual) and l > 0 and hidden[l] == hidden[l - 1] for l in range(len(hidden))]


class MLP:
    """A 2-input network with one hidden activation and a linear output layer.

    `MLP([2, 16, 16, 2], seed=0, activation="leaky_relu", negative_slope=0.01, residual=False)`
    builds He-normal weights (std sqrt(2 / fan_in)) and small random biases N(0, bias_std^2);
    zero biases would make every first-layer crease pass through the origin, a degenerate
    picture. `negative_slope` matters for leaky ReLU only (torch.nn.LeakyReLU's argument).
    """

    def __init__(
        self,
        sizes: Sequence[int],
        seed: int = 0,
        bias_std: float = DEFAULT_BIAS_STD,
        *,
        activation: Activation | str = Activation.RELU,
        negative_slope: float = DEFAULT_NEGATIVE_SLOPE,
        residual: bool = False,
    ) -> None:
        self.sizes = validate_sizes(sizes)
        self._set_kind(activation, negative_slope, residual)
        self.layout = _layout(self.sizes)
        n_params = int(self.layout[-1, 3] + self.layout[-1, 1])
        self.params = np.empty(n_params, dtype=np.float64)
        self._bind_views()
        rng = np.random.default_rng(seed)
        for W, b in self._views:
            W[...] = rng.normal(0.0, np.sqrt(2.0 / W.shape[1]), size=W.shape)
            b[...] = rng.normal(0.0, bias_std, size=b.shape)

    # ------------------------------------------------------------------ construction
    def _set_kind(self, activation: object, negative_slope: object, residual: object) -> None:
        self.activation = parse_activation(activation)
        self.negative_slope = check_negative_slope(negative_slope)
        self.residual = bool(residual)
        self.residual_layers = residual_flags(self.sizes, self.residual)

    def kind(self) -> dict:
        """The keyword arguments that rebuild this network's activation and residual switch."""
        return {
            "activation": self.activation,
            "negative_slope": self.negative_slope,
            "residual": self.residual,
        }

    def same_kind(self, other: MLP) -> bool:
        return self.kind() == other.kind()

    @classmethod
    def from_weights(
        cls,
        layers: Sequence[tuple[np.ndarray, np.ndarray]],
        *,
        activation: Activation | str = Activation.RELU,
        negative_slope: float = DEFAULT_NEGATIVE_SLOPE,
        residual: bool = False,
    ) -> MLP:
        """Build a network from [(W1, b1), ..., (Wo, bo)], W of shape (out, in) (PyTorch)."""
        layers = list(layers)
        if not layers:
            raise ValueError("from_weights needs at least a hidden and an output layer")
        sizes = [int(np.shape(layers[0][0])[1])] if np.ndim(layers[0][0]) == 2 else [-1]
        for i, (W, b) in enumerate(layers, start=1):
            W = np.asarray(W)
            b = np.asarray(b)
            if W.ndim != 2 or b.ndim != 1 or b.shape[0] != W.shape[0]:
                raise ValueError(
                    f"layer {i}: W must be 2-D (out, in) and b 1-D (out,); "
                    f"got W {W.shape} and b {b.shape}"
                )
            if W.shape[1] != sizes[-1]:
                raise ValueError(
                    f"layer {i}: W has {W.shape[1]} inputs but the previous layer has "
                    f"{sizes[-1]} outputs"
                )
            sizes.append(int(W.shape[0]))
        net = cls.__new__(cls)
        net.sizes = validate_sizes(sizes)
        net._set_kind(activation, negative_slope, residual)
        net.layout = _layout(net.sizes)
        n_params = int(net.layout[-1, 3] + net.layout[-1, 1])
        net.params = np.empty(n_params, dtype=np.float64)
        net._bind_views()
        net.set_weights(layers)
        return net

    def _bind_views(self) -> None:
        views = []
        for w_off, n_out, n_in, b_off in self.layout:
            W = self.params[w_off : w_off + n_out * n_in].reshape(n_out, n_in)
            b = self.params[b_off : b_off + n_out]
            views.append((W, b))
        self._views = views

    def copy(self) -> MLP:
        """An independent network with the same architecture and weights."""
        return MLP.from_weights(self._views, **self.kind())

    # ------------------------------------------------------------------ shape
    @property
    def hidden_sizes(self) -> list[int]:
        return self.sizes[1:-1]

    @property
    def n_hidden_layers(self) -> int:
        return len(self.sizes) - 2

    @property
    def n_hidden(self) -> int:
        """Total number of hidden neurons."""
        return int(sum(self.hidden_sizes))

    @property
    def n_out(self) -> int:
        return self.sizes[-1]

    @property
    def n_params(self) -> int:
        return int(self.params.size)

    # ------------------------------------------------------------------ weights
    @property
    def layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Live (W, b) views into `params` (writing to them changes the network)."""
        return self._views

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Copies of [(W1, b1), ..., (Wo, bo)], W of shape (out, in)."""
        return [(W.copy(), b.copy()) for W, b in self._views]

    def set_weights(self, layers: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        """Overwrite all weights in place; shapes must match the architecture exactly."""
        layers = list(layers)
        if len(layers) != len(self._views):
            raise ValueError(
                f"expected {len(self._views)} (W, b) pairs for sizes {self.sizes}, "
                f"got {len(layers)}"
            )
        for i, ((W, b), (W_new, b_new)) in enumerate(zip(self._views, layers, strict=True), 1):
            W_new = np.asarray(W_new, dtype=np.float64)
            b_new = np.asarray(b_new, dtype=np.float64)
            if W_new.shape != W.shape or b_new.shape != b.shape:
                raise ValueError(
                    f"layer {i}: expected W {W.shape} and b {b.shape}, "
                    f"got W {W_new.shape} and b {b_new.shape}"
                )
            if not (np.all(np.isfinite(W_new)) and np.all(np.isfinite(b_new))):
                raise ValueError(f"layer {i}: weights contain NaN or infinite values")
            W[...] = W_new
            b[...] = b_new

    def is_finite(self) -> bool:
        return bool(np.all(np.isfinite(self.params)))

    # ------------------------------------------------------------------ forward
    def _check_inputs(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != INPUT_WIDTH:
            raise ValueError(f"inputs must have shape (N, 2), got {X.shape}")
        return X

    def _hidden_pass(self, X: np.ndarray, keep: list | None = None) -> tuple[list, np.ndarray]:
        h = self._check_inputs(X)
        zs = []
        for (W, b), res in zip(self._views[:-1], self.residual_layers, strict=True):
            z = h @ W.T + b
            zs.append(z)
            a = activate(z, self.activation, self.negative_slope)
            h = h + a if res else a
            if keep is not None:
                keep.append(h)
        return zs, h

    def layer_outputs(self, X: np.ndarray) -> list[np.ndarray]:
        """Outputs h_l of every hidden layer (after the activation and any residual sum)."""
        out: list[np.ndarray] = []
        self._hidden_pass(X, out)
        return out

    def preactivations(self, X: np.ndarray) -> list[np.ndarray]:
        """Pre-activations z_l of every hidden layer, each (N, n_l)."""
        return self._hidden_pass(X)[0]

    def features(self, X: np.ndarray) -> np.ndarray:
        """Last hidden layer outputs h_L, shape (N, width of the last hidden layer)."""
        return self._in_blocks(X, self.sizes[-2], lambda x: self._hidden_pass(x)[1])

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Output logits (or the regression value), shape (N, out)."""
        W, b = self._views[-1]
        return self._in_blocks(X, len(b), lambda x: self._hidden_pass(x)[1] @ W.T + b)

    def _in_blocks(self, X: np.ndarray, width: int, of_block) -> np.ndarray:
        """`of_block` of FORWARD_ROWS points at a time, into one (N, width) array: a wide
        layer's activations stay in the cache, and the 3D surface's 10^5-10^6 lift points no
        longer take every layer at once (a gigabyte of fresh pages beside the frame)."""
        X = self._check_inputs(X)
        if len(X) <= FORWARD_ROWS:
            return of_block(X)
        out = np.empty((len(X), width))
        for i in range(0, len(X), FORWARD_ROWS):
            rows = slice(i, i + FORWARD_ROWS)
            out[rows] = of_block(X[rows])
        return out

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Softmax class probabilities, shape (N, K). Classification networks only."""
        if self.n_out == 1:
            raise ValueError("predict_proba needs a classification network (2 to 6 outputs)")
        return softmax(self.forward(X))

    def activation_pattern(self, X: np.ndarray) -> np.ndarray:
        """(N, total hidden neurons) bool, True where z > 0 (ReLU'(0) = 0, as PyTorch).

        For hardtanh this is only half of a neuron's state; `piece_pattern` has all of it."""
        zs = self.preactivations(X)
        return np.concatenate([z > 0.0 for z in zs], axis=1)

    def piece_pattern(self, X: np.ndarray) -> np.ndarray:
        """(N, total hidden neurons) int8: the linear piece each neuron is on (piecewise-linear
        activations; 0/1 for ReLU-like ones, 0/1/2 for hardtanh, all 0 for linear)."""
        pc = pieces(self.activation, self.negative_slope)
        zs = self.preactivations(X)
        return np.concatenate([pc.piece(z).astype(np.int8) for z in zs], axis=1)

    # ------------------------------------------------------------------ architecture edits
    def resized(
        self,
        hidden_sizes: Sequence[int],
        seed: int = 0,
        *,
        n_out: int | None = None,
        keep: Sequence[Sequence[int] | None] | None = None,
        layer_map: Sequence[int | None] | None = None,
    ) -> MLP:
        """A network with new hidden sizes (and optionally outputs) keeping shared weights.

        See `resize_network`, which also returns the parameter correspondence.
        """
        return resize_network(
            self, hidden_sizes, seed, n_out=n_out, keep=keep, layer_map=layer_map
        )[0]

    def without_neuron(self, layer: int, index: int) -> MLP:
        """This network with hidden neuron `index` of hidden layer `layer` (1-based) removed."""
        hidden = self.hidden_sizes
        if not 1 <= int(layer) <= len(hidden):
            raise ValueError(f"layer is {layer}; allowed: 1 to {len(hidden)} (hidden layers)")
        width = hidden[int(layer) - 1]
        if not 0 <= int(index) < width:
            raise ValueError(f"neuron index is {index}; layer {layer} has neurons 0 to {width - 1}")
        if width == 1:
            raise ValueError(f"layer {layer} has a single neuron; remove the layer instead")
        keep: list[Sequence[int] | None] = [None] * len(hidden)
        keep[int(layer) - 1] = [i for i in range(width) if i != int(index)]
        new_hidden = list(hidden)
        new_hidden[int(layer) - 1] = width - 1
        return resize_network(self, new_hidden, 0, keep=keep)[0]

    def __repr__(self) -> str:
        extra = (
            "" if self.activation is Activation.RELU else f", activation={self.activation.value!r}"
        )
        if self.activation is Activation.LEAKY_RELU:
            extra += f", negative_slope={self.negative_slope}"
        if self.residual:
            extra += ", residual=True"
        return f"MLP({self.sizes}{extra})"


def resize_network(
    net: MLP,
    hidden_sizes: Sequence[int],
    seed: int = 0,
    *,
    n_out: int | None = None,
    keep: Sequence[Sequence[int] | None] | None = None,
    layer_map: Sequence[int | None] | None = None,
) -> tuple[MLP, np.ndarray]:
    """Resize `net` to `hidden_sizes` (and `n_out` outputs), keeping what the two share.

    Neurons correspond as follows. Inputs always. New hidden layer l (0-based) stands for old
    hidden layer `layer_map[l]` (default: the same index, when the old network has it; None:
    a brand-new layer); its neuron i stands for old neuron `keep[l][i]` of that layer (default:
    i, for i below both widths; neurons past len(keep[l]) are new). Output k stands for old output
    k. A weight is kept when both of its ends stand for old neurons joined by an old weight (that
    is, the new source layer stands for the old layer just before the target's); a bias when its
    neuron stands for an old one. Everything else comes from a fresh `MLP(new_sizes, seed)`
    (He-normal weights, small random biases), so only the new rows and columns are initialised.

    Returns (new_net, param_map): param_map[p] is the index in `net.params` that new parameter p
    was copied from, or -1 for a freshly initialised one (the trainer carries optimizer moments
    over with it).
    """
    hidden = [int(h) for h in hidden_sizes]
    out = net.n_out if n_out is None else int(n_out)
    sizes = validate_sizes([INPUT_WIDTH, *hidden, out])
    new = MLP(sizes, seed=seed, **net.kind())
    old_hidden = net.hidden_sizes
    n_new = len(hidden)
    if layer_map is None:
        layer_map = [l if l < len(old_hidden) else None for l in range(n_new)]
    layer_map = list(layer_map)
    if len(layer_map) != n_new:
        raise ValueError(f"layer_map has {len(layer_map)} entries; expected {n_new}, one per layer")
    if keep is None:
        keep = [None] * n_new
    keep = list(keep)
    if len(keep) != n_new:
        raise ValueError(f"keep has {len(keep)} entries; expected {n_new}, one per hidden layer")

    # Which old layer (-1 = input, len(old_hidden) = output) and neurons each new layer stands for.
    src_layer: list[int | None] = [-1]
    src_neurons: list[np.ndarray] = [np.arange(INPUT_WIDTH)]
    for l in range(n_new):
        old_l = layer_map[l]
        if old_l is None:
            src_layer.append(None)
            src_neurons.append(np.full(hidden[l], -1))
            continue
        old_l = int(old_l)
        if not 0 <= old_l < len(old_hidden):
            raise ValueError(
                f"layer_map[{l}] is {old_l}; the old network has hidden layers 0 to "
                f"{len(old_hidden) - 1}"
            )
        if keep[l] is None:
            ids = np.arange(hidden[l])
            ids[ids >= old_hidden[old_l]] = -1
        else:
            chosen = [int(i) for i in keep[l]]
            if len(chosen) > hidden[l]:
                raise ValueError(
                    f"keep[{l}] lists {len(chosen)} neurons but the new layer has {hidden[l]}"
                )
            for i in chosen:
                if not 0 <= i < old_hidden[old_l]:
                    raise ValueError(
                        f"keep[{l}] names neuron {i}; old layer {old_l} has neurons 0 to "
                        f"{old_hidden[old_l] - 1}"
                    )
            ids = np.full(hidden[l], -1)
            ids[: len(chosen)] = chosen
        src_layer.append(old_l)
        src_neurons.append(ids)
    src_layer.append(len(old_hidden))
    ids = np.arange(out)
    ids[ids >= net.n_out] = -1
    src_neurons.append(ids)

    param_map = np.full(new.n_params, -1, dtype=np.int64)
    for l, (w_off, n_rows, n_cols, b_off) in enumerate(new.layout):
        tgt_old, prev_old = src_layer[l + 1], src_layer[l]
        if tgt_old is None:
            continue
        ow_off, _, o_cols, ob_off = net.layout[tgt_old]
        rows = src_neurons[l + 1]
        cols = src_neurons[l]
        connected = prev_old is not None and prev_old == tgt_old - 1
        for j in range(n_rows):
            if rows[j] < 0:
                continue
            param_map[b_off + j] = ob_off + rows[j]
            if connected:
                for i in range(n_cols):
                    if cols[i] >= 0:
                        param_map[w_off + j * n_cols + i] = ow_off + rows[j] * o_cols + cols[i]
    kept = param_map >= 0
    new.params[kept] = net.params[param_map[kept]]
    return new, param_map


def softmax(logits: np.ndarray) -> np.ndarray:
    """Numerically stable softmax over the last axis (the classes), in float64: the one numpy
    softmax of the project (the numba one lives in the training kernels)."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
