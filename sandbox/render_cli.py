"""`neural-origami render`: train and render a scene file or a generated dataset to a GIF, MP4 or
PNG without a display, for slides and workshop handouts.

    neural-origami render --scene demo.origami --steps 3000 --frames 60 --out movie.gif
    neural-origami render --dataset spiral --steps 5000 --size 1280x720 --out spiral.mp4
    neural-origami render --dataset ring --steps 2000 --view regions,creases --out ring.png
    neural-origami render --picture disk --hidden 500 --steps 20000 --out net.npz
    neural-origami render --points-file mine.csv --steps 3000 --out figure.svg
    neural-origami render --dataset spiral --steps 3000 --out figure.pdf

The sandbox runs with its panels hidden, so the plane fills the `--size` frame; the `--steps`
training steps are spread over the `--frames` frames (the first frame shows the start, the last one
the end), and each frame is read back after the plane is drawn, so movies show the plane only (no
cards or captions). A .png gets the last frame. A .svg is the last frame as a vector figure
(sandbox.render.figure, sandbox.io.svg: one polygon per linear region, the creases, the boundary,
the points, a legend; `data-bounds` on the root is the plane rectangle, and `--weights net.npz`
writes the network drawn, to check the figure against); a .pdf is the same figure as a PDF page
(sandbox.io.pdf; the rectangle in its Keywords). A .npz is the trained network itself, in
the .npz format of sandbox.io.weights (W1, b1, ... with W of shape (out, in)): it trains without a
window (sandbox.fit) and prints the steps per second and, for a picture, the PSNR of the network
against the full-resolution picture. Without a display (Linux with neither DISPLAY nor
WAYLAND_DISPLAY) it renders offscreen through EGL (SDL_VIDEODRIVER=offscreen,
PYOPENGL_PLATFORM=egl, set before pygame and OpenGL load). Everything a user can get wrong (a bad
scene file, an unknown dataset, an unwritable path, MP4 without imageio-ffmpeg) is checked before
the window opens, printed as one line, and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.cli import (
    EXIT_USAGE,
    EXPERIMENT_HELP,
    PICTURE_HELP,
    POINTS_FILE_HELP,
    UsageError,
    add_setting_options,
    check_output_path,
    check_steps,
    experiment_arg,
    picture_dataset,
    points_file_arg,
    setting_value,
)
from sandbox.config import AppConfig
from sandbox.settings import setting
from sandbox.vocab import View

OUT_SUFFIXES = (".gif", ".mp4", ".png", ".svg", ".pdf", ".npz")
STILL_SUFFIXES = (".png", ".svg", ".pdf")  # one frame: the end of training
FIGURE_KINDS = ("svg", "pdf")  # drawn from the state, not from pixels
DEFAULT_SIZE = (960, 720)
DEFAULT_FRAMES = 60
MAX_FRAMES = 10_000
MAX_SIDE = 4096
DEFAULT_FPS = 20.0
PROG = "neural-origami render"
# The settings a render job takes from the command line (the settings table's options).
RENDER_SETTINGS = (
    "dataset", "points", "noise", "resolution", "seed", "hidden", "activation", "negative_slope",
    "residual", "optimizer", "learning_rate", "schedule", "schedule_steps", "batch_size", "views",
    "zoom",
)  # fmt: skip


@dataclass
class RenderJob:
    """A validated render command."""

    out: Path
    scene: Path | None = None
    dataset: str = "ring"
    steps: int = 0
    frames: int = 1
    size: tuple[int, int] = DEFAULT_SIZE
    views: tuple[str, ...] | None = None
    fps: float = DEFAULT_FPS
    seed: int = 0
    hidden: tuple[int, ...] | None = None
    activation: str | None = None
    negative_slope: float | None = None
    residual: bool | None = None
    points: int | None = None
    noise: float | None = None
    learning_rate: float | None = None
    zoom: float | None = None
    optimizer: str | None = None
    batch_size: int | None = None
    schedule: str | None = None
    schedule_steps: int | None = None
    resolution: int | None = None
    experiment: str | None = None
    points_file: str | None = None
    weights: Path | None = None  # also write the network of the last frame here (.npz)

    @property
    def kind(self) -> str:
        return self.out.suffix.lower().lstrip(".")


def frame_steps(steps: int, frames: int) -> list[int]:
    """Training steps done before each frame: 0 at the first, `steps` at the last (one frame:
    after all of them), spread evenly and never decreasing."""
    if frames <= 1:
        return [steps]
    return [round(steps * i / (frames - 1)) for i in range(frames)]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Train and render a scene file or a dataset to an animated GIF, an MP4 or a PNG, "
            "without a display. The plane fills the frame; training is spread over the frames."
        ),
        epilog=(
            f"Example: {PROG} --dataset spiral --steps 3000 --frames 60 --out spiral.gif. "
            "MP4 needs the optional extra: pip install neural-origami[video]."
        ),
    )
    a = parser.add_argument
    start = parser.add_mutually_exclusive_group()
    start.add_argument("--scene", metavar="FILE", help="start from a .origami scene file")
    a(
        "--out",
        required=True,
        metavar="PATH",
        help="output file: .gif, .mp4, .png, .svg, .pdf or .npz",
    )
    start.add_argument("--picture", metavar="PATH", help=PICTURE_HELP)
    start.add_argument("--experiment", metavar="ID", help=EXPERIMENT_HELP)
    a("--points-file", metavar="PATH", help=POINTS_FILE_HELP)
    a(
        "--weights",
        metavar="PATH",
        help="also write the network of the last frame as .npz (to check a figure against)",
    )
    a("--steps", type=int, default=0, metavar="N", help="training steps over the movie (0)")
    a(
        "--frames",
        type=int,
        default=None,
        metavar="N",
        help=f"frames in the movie ({DEFAULT_FRAMES}; a .png, .svg or .pdf is the last frame)",
    )
    a("--size", default=None, metavar="WxH", help="frame size in pixels (960x720)")
    a("--fps", type=float, default=DEFAULT_FPS, help="frames per second of the movie (20)")
    add_setting_options(
        parser,
        RENDER_SETTINGS,
        defaults={"dataset": None, "hidden": None},
        helps={
            "dataset": "start from a generated dataset (ring); not with --scene",
            "hidden": "neurons per hidden layer (16,16,16)",
            "views": "views, comma separated: " + ", ".join(v.value for v in View),
        },
    )
    return parser


def _size(text: str) -> tuple[int, int]:
    parts = text.lower().replace("*", "x").split("x")
    try:
        w, h = (int(p) for p in parts)
    except ValueError:
        raise UsageError(f"--size {text!r}: expected WIDTHxHEIGHT, e.g. 960x720") from None
    if not (64 <= w <= MAX_SIDE and 64 <= h <= MAX_SIDE):
        raise UsageError(f"--size {text!r}: width and height must be 64 to {MAX_SIDE} pixels")
    return w, h


def _check_output(out: Path) -> None:
    check_output_path("--out", str(out), OUT_SUFFIXES)
    if out.suffix.lower() == ".mp4":
        from sandbox.io.recording import MP4_MISSING, mp4_available

        if not mp4_available():
            raise UsageError(f"--out {str(out)!r}: {MP4_MISSING}")


def job_from_args(ns: argparse.Namespace) -> RenderJob:
    """Validate the parsed options; raises UsageError naming the option and what is allowed."""
    out = Path(ns.out)
    _check_output(out)
    check_steps(ns.steps)
    still = out.suffix.lower() in STILL_SUFFIXES
    frames = ns.frames if ns.frames is not None else (1 if still else 0)
    if ns.frames is not None and not 1 <= ns.frames <= MAX_FRAMES:
        raise UsageError(f"--frames {ns.frames}: allowed 1 to {MAX_FRAMES}")
    if not 1.0 <= ns.fps <= 50.0:
        raise UsageError(f"--fps {ns.fps:g}: allowed 1 to 50")
    if ns.scene is not None and ns.dataset is not None:
        raise UsageError("--dataset and --scene: give one starting point, not both")
    if out.suffix.lower() == ".npz" and ns.scene is not None:
        raise UsageError("--out .npz trains a fresh network: give --dataset or --picture")
    if ns.weights is not None:
        check_output_path("--weights", ns.weights, (".npz",))
        if out.suffix.lower() == ".npz":
            raise UsageError("--weights: --out .npz writes the network already")
    if ns.points_file is not None and (ns.scene is not None or out.suffix.lower() == ".npz"):
        raise UsageError(
            "--points-file starts the window's sandbox from your points: not with --scene (it "
            "brings its own) nor --out .npz (it trains on --dataset or --picture)"
        )
    picture = picture_dataset(ns.picture, ns.dataset)
    if ns.scene is not None:
        for name in ("hidden", "points", "noise", "activation", "negative_slope", "residual"):
            if getattr(ns, name) is not None:
                raise UsageError(
                    f"{setting(name).cli.flags[0]} shapes a generated dataset or network; a "
                    "scene file brings its "
                    "own (use --dataset instead of --scene)"
                )
    values = {name: setting_value(setting(name), getattr(ns, name)) for name in RENDER_SETTINGS}
    dataset = picture or ns.dataset or setting("dataset").default
    if ns.scene is None:
        setting_value(setting("dataset"), dataset)
    return RenderJob(
        out=out,
        scene=Path(ns.scene) if ns.scene is not None else None,
        dataset=dataset,
        steps=ns.steps,
        frames=frames or DEFAULT_FRAMES,
        size=_size(ns.size) if ns.size is not None else DEFAULT_SIZE,
        views=values["views"],  # type: ignore[arg-type]
        fps=float(ns.fps),
        seed=ns.seed,
        hidden=values["hidden"],  # type: ignore[arg-type]
        activation=values["activation"],  # type: ignore[arg-type]
        negative_slope=values["negative_slope"],  # type: ignore[arg-type]
        residual=values["residual"],  # type: ignore[arg-type]
        points=ns.points,
        noise=ns.noise,
        learning_rate=ns.learning_rate,
        zoom=ns.zoom,
        optimizer=ns.optimizer,
        batch_size=ns.batch_size,
        schedule=ns.schedule,
        schedule_steps=ns.schedule_steps,
        resolution=ns.resolution,
        experiment=experiment_arg(ns.experiment),
        points_file=points_file_arg(ns.points_file),
        weights=Path(ns.weights) if ns.weights is not None else None,
    )


class _Sink:
    """Where the frames go: a Recorder for movies, the last frame for a PNG (an SVG or PDF is
    drawn from the state, not from pixels)."""

    def __init__(self, job: RenderJob) -> None:
        self.job = job
        self.last: Any = None
        self.count = 0
        self.recorder: Any = None
        if job.kind in ("gif", "mp4"):
            from sandbox.io.recording import Recorder

            w, h = job.size
            self.recorder = Recorder(
                job.out,
                fps=job.fps,
                max_width=w,
                max_height=h,
                max_frames=max(1, job.frames),
                max_bytes=2**40,
                formats=(job.kind,),
            )

    def add(self, pixels: Any) -> None:
        self.count += 1
        if self.recorder is not None:
            self.recorder.add_frame(pixels)
        else:
            self.last = pixels

    def close(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
        elif self.last is not None and self.job.kind == "png":
            import io

            from PIL import Image

            from sandbox.io.atomic import atomic_write_bytes

            buf = io.BytesIO()
            Image.fromarray(self.last, "RGB").save(buf, "PNG")
            atomic_write_bytes(self.job.out, buf.getvalue())

    def discard(self) -> None:
        if self.recorder is not None:
            self.recorder.discard()


def render(job: RenderJob, scene_data: Any = None) -> int:
    """Run the sandbox offscreen and write the job's file; returns the exit status."""
    from sandbox.app import App, StartupError

    config = AppConfig(
        size=job.size,
        dataset=job.dataset,
        points=job.points,
        noise=job.noise,
        seed=job.seed,
        hidden=job.hidden or AppConfig().hidden,
        activation=job.activation,
        negative_slope=job.negative_slope,
        residual=job.residual,
        learning_rate=job.learning_rate,
        zoom=job.zoom,
        views=job.views,
        optimizer=job.optimizer,
        batch_size=job.batch_size,
        schedule=job.schedule,
        schedule_steps=job.schedule_steps,
        resolution=job.resolution,
        experiment=job.experiment,
        points_file=job.points_file,
        hide_ui=True,
        skip_loading=True,
        screenshot=str(job.out),  # a file render: no start-up hints on the plane
    )
    app = App(config)
    sink: _Sink | None = None
    regions = 0
    try:
        app.start(hidden=True)
        scene = app.scene
        if scene_data is not None:
            scene.workshop.adopt(scene_data, str(job.scene))
            _override_view(scene, job)
        sink = _Sink(job)
        scene.workshop.tap = sink.add
        # a PNG is the movie's last frame: train everything, draw once
        schedule = frame_steps(job.steps, 1 if job.kind in ("png", *FIGURE_KINDS) else job.frames)
        done = 0
        for target in schedule:
            if target > done:
                scene.train_now(target - done)
                done = target
            app.run_frames(1, dt=1.0 / job.fps)
        scene.workshop.tap = None
        if job.kind in FIGURE_KINDS:
            regions = _write_figure(scene, job.out)
        sink.close()
        if job.weights is not None:
            from sandbox.io.weights import save_weights

            save_weights(scene.state.net, job.weights)
    except StartupError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, OSError) as exc:
        if sink is not None:
            sink.discard()
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        try:
            app.close()
        except Exception:  # the window may never have opened
            pass
    w, h = job.size
    also = f" and the network to {job.weights}" if job.weights is not None else ""
    if job.kind in FIGURE_KINDS:
        print(f"wrote {job.out} ({regions:,} linear regions, {w}x{h}){also}")
        return 0
    frames = "1 frame" if sink.count == 1 else f"{sink.count} frames"
    size = f"{w}x{h}"
    if job.kind == "mp4" and (w % 2 or h % 2):
        size = f"{w + w % 2}x{h + h % 2}: MP4 needs even sides"
    print(f"wrote {job.out} ({frames}, {size}){also}")
    return 0


def write_network(job: RenderJob) -> int:
    """Train without a window and write the network as .npz; returns the exit status. An
    experiment brings its dataset, network and training settings (the options given win)."""
    if job.experiment is not None:
        from sandbox.experiments import experiment

        exp = experiment(job.experiment)
        job.dataset = exp.dataset
        for name in ("hidden", "optimizer", "learning_rate", "batch_size", "schedule",
                     "schedule_steps", "resolution"):  # fmt: skip
            if getattr(job, name) is None:
                setattr(job, name, getattr(exp, name))
    from sandbox.fit import FitJob, fit
    from sandbox.io.weights import save_weights
    from sandbox.nn import LrSchedule
    from sandbox.settings import setting as table

    def given(name: str) -> Any:
        value = getattr(job, name)
        return table(name).default if value is None else value

    try:
        fit_job = FitJob(
            job.dataset, job.hidden or tuple(table("hidden").default), job.steps,
            optimizer=given("optimizer"), learning_rate=given("learning_rate"),
            batch_size=given("batch_size"), seed=job.seed, points=job.points, noise=job.noise,
            schedule=LrSchedule(given("schedule"), given("schedule_steps")),
            resolution=given("resolution"),
        )  # fmt: skip
        result = fit(fit_job)
        save_weights(result.net, job.out)
    except (ValueError, OSError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    score = "" if result.psnr is None else f", PSNR {result.psnr:.2f} dB against the picture"
    print(
        f"wrote {job.out} (network {result.sizes}, {result.steps:,} steps at "
        f"{result.steps_per_second:,.0f} steps/s, loss {result.loss:.4g}{score})"
    )
    return 0


def _write_figure(scene: Any, out: Path) -> int:
    """The plane as the last frame shows it, as an SVG or PDF figure (by `out`'s suffix);
    returns its region count."""
    from sandbox.io.figures import save_figure
    from sandbox.render.figure import figure_from_state

    fig = figure_from_state(scene.state)  # FigureRefused is a ValueError: one line, status 2
    save_figure(out, fig)
    return fig.n_regions


def _override_view(scene: Any, job: RenderJob) -> None:
    """Command-line views and zoom win over the scene file's."""
    from sandbox import actions as A

    if job.views is not None:
        wanted = set(job.views)
        for view in View:
            scene.apply(A.SetView(view.value, view.value in wanted))
    if job.zoom is not None:
        x, y, w, h = scene.state.layout.plane
        factor = float(job.zoom) / float(scene.state.camera.zoom)
        scene.apply(A.ZoomAt((x + w / 2.0, y + h / 2.0), factor))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--experiment=list" in args or any(
        a == "--experiment" and args[i + 1 : i + 2] == ["list"] for i, a in enumerate(args)
    ):  # the list needs no --out
        from sandbox.experiments import listing

        print(listing())
        return 0
    parser = build_parser()
    ns = parser.parse_args(args)
    try:
        job = job_from_args(ns)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    scene_data = None
    if job.scene is not None:
        from sandbox.io.scene import load_scene

        try:
            scene_data = load_scene(job.scene)
        except ValueError as exc:
            print(f"{PROG}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if job.kind == "npz":
        return write_network(job)
    from sandbox.cli import prepare_environment

    prepare_environment(AppConfig(screenshot=str(job.out)))
    try:
        return render(job, scene_data)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
