"""The seeds' experiments, one click each: prepared sandbox scenes with a caption.

Each `Experiment` is a ready-made start for the sandbox (dataset or picture, network, training
settings, views, steps trained before the first frame, whether it trains at once) and one
paragraph saying what to look for. The start menu's Experiments page lists them, `--experiment
ID` opens one (in the app and in `neural-origami render`), `--experiment list` prints them. Every
caption states something the run really shows; tests/test_experiments.py checks each claim on
the experiment's own run. Standard library only (the command line imports it before numpy).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Experiment:
    id: str
    title: str
    caption: str
    dataset: str
    hidden: tuple[int, ...]
    views: tuple[str, ...]
    steps: int = 0  # trained before the first frame
    play: bool = False  # training starts at once
    learning_rate: float = 0.01
    optimizer: str = "adam"
    batch_size: int = 64
    schedule: str = "constant"
    schedule_steps: int = 10_000
    resolution: int = 64
    seed: int = 0
    zoom: float | None = None
    layer_view: int = 0  # 0: the joint partition; l: layers 1..l
    readout: str = ""  # "symmetry": the card shows the creases' left-right symmetry score
    # a chart card on the plane: "rose" (crease directions and offsets), "motion" (turn and
    # slide of each crease over the first steps), "pulse" (this run's loss beside the loss of
    # `compare`'s run, trained in step), "compare" (`compare`'s run: its picture and creases);
    # "indecisive": the inspector flags indecisive neurons; "contours": contour lines and the
    # probe's cross-section on the 3D surface, and the probe's slope and second differences
    chart: str = ""
    compare: str = ""  # "pulse"/"compare": the experiment whose run trains in step on the card
    settings: dict[str, Any] = field(default_factory=dict)

    def config_fields(self) -> dict[str, Any]:
        """The AppConfig fields that start this experiment's sandbox."""
        return dict(
            dataset=self.dataset, hidden=self.hidden, views=self.views, steps=self.steps,
            play=self.play, learning_rate=self.learning_rate, optimizer=self.optimizer,
            batch_size=self.batch_size, schedule=self.schedule,
            schedule_steps=self.schedule_steps, resolution=self.resolution, seed=self.seed,
            zoom=self.zoom,
        )  # fmt: skip


EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment(
        "one-neuron",
        "One neuron is creased paper",
        "A single ReLU neuron computes max(a x + b y + c, 0): a flat sheet folded along one "
        "straight crease, flat on one side and a tilted plane on the other. The 3D view shows "
        "the fold; a and b turn the crease, c slides it. Grab the crease on the plane to move "
        "and turn it, or press Space and watch training do it.",
        "reg-plane",
        (1,),
        ("field", "creases", "3d"),
        seed=3,
    ),
    Experiment(
        "disk-10",
        "A disk from 10 creases",
        "Ten first-layer neurons learn a grey picture of a disk (every pixel is a point). Ten "
        "straight creases can only make a polygon-like blob with a blocky edge; compare with "
        "the 500-neuron run of the same disk, seed and settings.",
        "image:disk",
        (10,),
        ("field", "creases"),
        play=True,
        batch_size=256,
    ),
    Experiment(
        "disk-500",
        "A disk from 500 creases",
        "The same disk with 500 first-layer neurons (the blog's run), and on the card the "
        "10-neuron run of the same seed and settings, trained in step. Hundreds of straight "
        "creases bunch around the edge and make it round: after 4,000 steps the picture is "
        "much closer than with 10 (see both PSNRs), though Adam's pulses knock it back now "
        "and then. Too many regions to draw exactly: the output is sampled and only the "
        "first layer's creases (exact lines) are drawn.",
        "image:disk",
        (500,),
        ("field", "creases"),
        play=True,
        batch_size=256,
        chart="compare",
        compare="disk-10",
    ),
    Experiment(
        "creases-bunch",
        "Creases bunch together",
        "The 500-neuron disk with a rose of where its first-layer creases point: one bar per "
        "10 degrees, against the dashed ring of what 500 random directions give. At the start "
        "it looks random (bunching about 1). As training goes on the creases crowd into a few "
        "directions: after 10,000 steps about two to three times as bunched as chance, as the "
        "blog saw, while their offsets spread from the middle out to the disk's edge.",
        "image:disk",
        (500,),
        ("field", "creases"),
        play=True,
        batch_size=256,
        chart="rose",
    ),
    Experiment(
        "pulse-adam",
        "Adam's pulse",
        "The 500-neuron disk with Adam, and on the card the same network and seed trained "
        "with SGD in step with it (momentum, a rate 30 times smaller: larger ones blow up). "
        "Watch the curves: every so often Adam's loss jumps up several times over and falls "
        "back within a few dozen steps, again and again: the pulse the blog asked about. "
        "SGD's curve falls smoothly, without such spikes.",
        "image:disk",
        (500,),
        ("field", "creases"),
        play=True,
        batch_size=256,
        chart="pulse",
        compare="pulse-sgd",
    ),
    Experiment(
        "pulse-sgd",
        "The same disk with SGD",
        "The 500-neuron disk with SGD and momentum (at a rate 30 times smaller: larger rates "
        "blow up this wide network). Its loss chart falls smoothly, without Adam's spikes, "
        "to about the same loss over the same steps.",
        "image:disk",
        (500,),
        ("field", "creases"),
        play=True,
        batch_size=256,
        optimizer="sgd",
        learning_rate=0.0003,
    ),
    Experiment(
        "sharp-edges",
        "Sharp edges are hard",
        "A [32, 32] network has learned the picture of a star. The error view shows "
        "|target - output|: black where the network is right, bright where it is wrong. The "
        "error lives on the edges and worst at the sharp tips and notches, where straight "
        "creases must crowd to make a corner; the flat inside and outside are easy. Press F "
        "for the output itself.",
        "image:star",
        (32, 32),
        ("error", "creases"),
        steps=3000,
        batch_size=128,
    ),
    Experiment(
        "ginn-bottle",
        "GINN's bottle, cosine annealed",
        "A [16, 16, 16] network learns the picture of a bottle with a diamond in it, as GINN "
        "did, with Adam and the learning rate annealed to zero by a cosine over 20,000 steps "
        "(the rate shows beside the step). Creases are coloured by layer: blue (layer 1) are "
        "straight lines, red (2) and green (3) bend where they cross earlier ones. The "
        "timeline lets you replay the run.",
        "image:bottle",
        (16, 16, 16),
        ("field", "creases", "timeline"),
        play=True,
        batch_size=128,
        schedule="cosine",
        schedule_steps=20_000,
    ),
    Experiment(
        "bias-weights",
        "Bias before weights?",
        "GINN saw biases move first: creases slid into place, then turned. The chart follows "
        "each first-layer crease of the bottle's [16, 16, 16] run over its first 300 steps: "
        "how far it has turned (degrees) and slid. Here the creases start through the middle "
        "of the picture and mostly turn first: half of their turn is done within about 5 "
        "steps, half of their slide only after 20 to 30. Which comes first depends on the "
        "set-up: GINN's pixels sat in [0, 1], so its creases started near a corner.",
        "image:bottle",
        (16, 16, 16),
        ("field", "creases", "timeline"),
        play=True,
        batch_size=128,
        chart="motion",
    ),
    Experiment(
        "copycats",
        "Copycats",
        "The bottle after 6,000 cosine-annealed steps of a [16, 16, 16] network. Some "
        "neurons have ended up with almost the same crease as another of their layer: "
        "copycats, doing the work of one between them. The inspector marks each with an '=' "
        "badge; hover a neuron there to read its notes and see its crease on the plane.",
        "image:bottle",
        (16, 16, 16),
        ("field", "creases", "inspector"),
        steps=6000,
        batch_size=128,
        schedule="cosine",
        schedule_steps=6000,
    ),
    Experiment(
        "indecisive",
        "The indecisive neuron",
        "The bottle after 3,300 of 6,000 cosine-annealed steps, in the run's second half. "
        "Over the last 400 steps one neuron of layer 3 swung its crease across a tenth of the "
        "picture and back, while no other crease moved half as far and the loss ended within "
        "10% of where it started: the inspector marks it with a '~' badge. Drag the timeline "
        "back 400 steps and replay to watch it swing; Space trains on.",
        "image:bottle",
        (16, 16, 16),
        ("field", "creases", "inspector", "timeline"),
        steps=3300,
        batch_size=128,
        schedule="cosine",
        schedule_steps=6000,
        seed=6,
        chart="indecisive",
    ),
    Experiment(
        "symmetry-a",
        "Symmetry, seed 0",
        "The bottle is left-right symmetric; does the network find that? The card scores "
        "this run's first-layer creases from 0 to 1 (1: every crease has a mirror twin "
        "across the middle), live while it trains. On the card the same run from seed 1 "
        "trains in step, with its own score: the same task and settings, a different score "
        "and a different fit.",
        "image:bottle",
        (16, 16, 16),
        ("field", "creases"),
        steps=3000,
        batch_size=128,
        schedule="cosine",
        schedule_steps=6000,
        readout="symmetry",
        chart="compare",
        compare="symmetry-b",
    ),
    Experiment(
        "symmetry-b",
        "Symmetry, seed 1",
        "The same bottle, network and settings as 'Symmetry, seed 0' from another seed: its "
        "starting creases differ, and so do where they settle. The card scores how "
        "left-right symmetric its first-layer creases are (1: each has a mirror twin).",
        "image:bottle",
        (16, 16, 16),
        ("field", "creases"),
        steps=3000,
        batch_size=128,
        schedule="cosine",
        schedule_steps=6000,
        readout="symmetry",
        seed=1,
    ),
    Experiment(
        "ring-partitions",
        "The ring: layer by layer",
        "A [8, 8] network trained on a disk inside a ring. The regions view shows the "
        "partition made by layer 1 alone: straight cuts across the plane. Press ] to see "
        "layers 1 and 2 together (the joint partition), which refines it into many more "
        "regions; the decision boundary is made of pieces of their edges.",
        "ring",
        (8, 8),
        ("field", "regions", "creases", "boundary"),
        steps=3000,
        layer_view=1,
    ),
    Experiment(
        "ray-probe",
        "Along a ray from the origin",
        "The probe follows one ray out of the trained ring network. Inside each region the "
        "network is affine, so the logit difference is a straight line in the radius, with "
        "kinks where the ray crosses a crease; far beyond the last crease it grows without "
        "bound, so the confidence tends to 1: a ReLU network is surest far from its data.",
        "ring",
        (16, 16),
        ("field", "creases", "boundary", "probe"),
        steps=3000,
    ),
    Experiment(
        "map-vs-laplace",
        "MAP vs last-layer Laplace, far away",
        "Zoomed far out from the trained ring: on the left the plain network (MAP) is "
        "confident almost everywhere, right up to the window's edge; on the right a bit of "
        "Bayes on the last layer (Laplace) turns that confidence down far from the data.",
        "ring",
        (16, 16),
        ("field", "boundary", "split"),
        steps=3000,
        zoom=0.05,
    ),
    Experiment(
        "four-neurons",
        "Four neurons: a folded surface",
        "Four ReLU neurons fold the plane into flat facets. In 3D: the surface, its contour "
        "lines (straight on each facet, bent at creases) and, in orange, its cross-section "
        "along the probe's ray. The probe plots that section: its slope is constant inside "
        "each region and jumps at creases; its second differences vanish inside regions and "
        "spike at the creases.",
        "reg-plane",
        (4,),
        ("field", "creases", "3d", "probe"),
        steps=500,
        seed=5,
        chart="contours",
    ),
)

BY_ID = {e.id: e for e in EXPERIMENTS}


def experiment(name: str) -> Experiment:
    """The experiment called `name`; ValueError listing the ids when there is none."""
    if name not in BY_ID:
        raise ValueError(f"unknown experiment {name!r}; allowed: {', '.join(BY_ID)}")
    return BY_ID[name]


def listing() -> str:
    """One line per experiment: its id, then its title (for --experiment list)."""
    width = max(len(e.id) for e in EXPERIMENTS)
    return "\n".join(f"{e.id:<{width}}  {e.title}" for e in EXPERIMENTS)


__all__ = ["EXPERIMENTS", "Experiment", "experiment", "listing", "replace"]
