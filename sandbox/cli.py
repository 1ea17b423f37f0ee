"""Command line entry point shared by `neural-origami`, `python main.py` and `python -m sandbox`.

Parses and validates the options, then hands an `AppConfig` (sandbox.config) to the application.
Nothing heavy is imported before parsing, so `--help` is instant, and the headless environment
variables (offscreen SDL, EGL) can still be set before pygame and OpenGL load. Every error a user
can cause prints one clear line and exits with status 2; no tracebacks.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from sandbox.config import AppConfig
from sandbox.settings import Setting, ValueKind, setting, with_cli
from sandbox.vocab import (
    MAX_HIDDEN_LAYERS,
    MAX_TRAIN_STEPS,
    MAX_WIDTH,
    MIN_HIDDEN_LAYERS,
    MIN_WIDTH,
    PLANNED_VIEWS,
    WINDOW_SIDE_RANGE,
    View,
    max_width,
)

VIEW_CHOICES = tuple(v.value for v in View)
EXIT_USAGE = 2


class UsageError(ValueError):
    """A bad option value; the message says which and what is allowed."""


def parse_size(text: str) -> tuple[int, int]:
    parts = text.lower().replace("*", "x").split("x")
    try:
        w, h = (int(p) for p in parts)
    except ValueError:
        raise UsageError(f"--size {text!r}: expected WIDTHxHEIGHT, e.g. 1280x800") from None
    lo, hi = WINDOW_SIDE_RANGE
    if not (lo <= w <= hi and lo <= h <= hi):
        raise UsageError(f"--size {text!r}: width and height must be between {lo} and {hi} pixels")
    return w, h


def parse_hidden(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(p) for p in text.replace(" ", "").split(",") if p)
    except ValueError:
        raise UsageError(
            f"--hidden {text!r}: expected neurons per hidden layer, e.g. 16,16,16"
        ) from None
    if not MIN_HIDDEN_LAYERS <= len(sizes) <= MAX_HIDDEN_LAYERS:
        raise UsageError(
            f"--hidden {text!r}: {len(sizes)} layers given; "
            f"allowed: {MIN_HIDDEN_LAYERS} to {MAX_HIDDEN_LAYERS}"
        )
    widest = max_width(len(sizes))
    for i, n in enumerate(sizes, 1):
        if not MIN_WIDTH <= n <= widest:
            deep = "" if widest == MAX_WIDTH else f" ({MAX_WIDTH} per layer in deeper networks)"
            raise UsageError(
                f"--hidden {text!r}: layer {i} has {n} neurons; allowed: {MIN_WIDTH} to "
                f"{widest}{deep}"
            )
    return sizes


def parse_views(text: str) -> tuple[str, ...]:
    names = tuple(v.strip().lower() for v in text.split(",") if v.strip())
    for name in names:
        if name in PLANNED_VIEWS:
            raise UsageError(
                f"--view {name!r} is not available in this version; "
                f"allowed: {', '.join(VIEW_CHOICES)}"
            )
        if name not in VIEW_CHOICES:
            raise UsageError(f"--view: unknown view {name!r}; allowed: {', '.join(VIEW_CHOICES)}")
    return names


# Options that describe a sandbox; without any of them the app opens the start menu.
SANDBOX_OPTIONS = (
    *(s.name for s in with_cli() if s.cli is not None and s.cli.describes_sandbox),
    "picture",
    "points_file",
    "steps",
    "hide_ui",
    "play",
)


def add_setting_options(
    parser: argparse.ArgumentParser,
    names: tuple[str, ...] | None = None,
    defaults: dict[str, object] | None = None,
    helps: dict[str, str] | None = None,
) -> None:
    """One option per setting of the settings table that has a command-line entry (or the
    named ones), stored under the setting's name. `defaults` and `helps` override the table's
    for a command whose starting point differs (a render job's network comes from its scene)."""
    group = parser.add_argument_group("settings")
    for s in with_cli():
        if names is not None and s.name not in names:
            continue
        opt = s.cli
        assert opt is not None
        kwargs: dict[str, object] = {
            "dest": s.name,
            "default": (defaults or {}).get(s.name, opt.default),
            "help": (helps or {}).get(s.name, opt.help),
        }
        if opt.metavar:
            kwargs["metavar"] = opt.metavar
        if s.kind is ValueKind.INT:
            kwargs["type"] = int
        elif s.kind is ValueKind.FLOAT:
            kwargs["type"] = float
        elif s.kind is ValueKind.CHOICE:
            kwargs["type"] = _choice_type(s)
        elif s.kind is ValueKind.BOOL:
            kwargs["action"] = "store_const"
            kwargs["const"] = True
        group.add_argument(*opt.flags, **kwargs)  # type: ignore[arg-type]


def _choice_type(s: Setting):
    """argparse type of a choice setting: the name (any case, '-' for '_'), or an error listing
    what is allowed."""

    def parse(text: str) -> str:
        name = text.strip().lower().replace("-", "_")
        if name not in s.choices:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not allowed; allowed: {', '.join(s.choices)}"
            )
        return name

    parse.__name__ = s.name
    return parse


EXPERIMENT_HELP = (
    "open one of the seeds' experiments, prepared with its caption ('--experiment list' "
    "prints their ids and titles)"
)


def experiment_arg(text: str | None) -> str | None:
    """--experiment's value checked against the experiments; UsageError listing the ids."""
    if text is None:
        return None
    from sandbox.experiments import experiment

    try:
        return experiment(text).id
    except ValueError as exc:
        raise UsageError(f"--experiment: {exc}") from None


PICTURE_HELP = (
    "start from a picture to learn: an image file (PNG, JPEG, BMP, GIF, WebP, ...) or a "
    "bundled picture (disk, square, star, ring, bottle, smiley); not with --dataset"
)


def picture_dataset(picture: str | None, dataset: str | None) -> str | None:
    """The dataset name of --picture ("image:" + the absolute path, or + a bundled name), None
    without it; UsageError for a bad picture or when --dataset is given too."""
    if picture is None:
        return None
    if dataset is not None:
        raise UsageError("--picture and --dataset: give one starting point, not both")
    from sandbox.data import dataset_info
    from sandbox.data.pictures import is_bundled_name

    source = picture if is_bundled_name(picture) else str(Path(picture).expanduser().resolve())
    try:
        dataset_info(f"image:{source}")
    except ValueError as exc:
        raise UsageError(f"--picture: {exc}") from None
    return f"image:{source}"


POINTS_FILE_HELP = (
    "start with the points of a CSV file: x, y, label (class 0-5, or a picture's target) and "
    "optionally split (train or test), with or without a header line"
)


def points_file_arg(path: str | None) -> str | None:
    """--points-file's value, read once to check it (absolute path); UsageError naming the
    line and what is allowed when the file cannot be used."""
    if path is None:
        return None
    from sandbox.io.points_csv import load_points_csv

    try:
        load_points_csv(path)
    except ValueError as exc:
        raise UsageError(f"--points-file: {exc}") from None
    return str(Path(path).expanduser().absolute())


def setting_value(s: Setting, value: object) -> object:
    """A parsed option's value checked against the settings table; UsageError if not allowed.
    None (not given) stays None."""
    if value is None:
        return None
    assert s.cli is not None
    flag = s.cli.flags[0]
    if s.kind is ValueKind.WIDTHS:
        return parse_hidden(str(value))
    if s.kind is ValueKind.VIEWS:
        return parse_views(str(value))
    if s.kind is ValueKind.TEXT and s.name == "dataset":
        from sandbox.data import dataset_info

        try:
            dataset_info(str(value))
        except ValueError as exc:
            raise UsageError(f"--dataset: {exc}") from None
        return value
    if s.kind in (ValueKind.INT, ValueKind.FLOAT) and not s.in_range(value):  # type: ignore[arg-type]
        raise UsageError(f"{flag} {value}: allowed {s.allowed()}")
    return value


def resolve_level_id(text: str, ids: list[str]) -> str | None:
    """The level id meant by `text`: an exact id, or its number ("9", "09") when unique."""
    if text in ids:
        return text
    if re.fullmatch(r"\s*\d{1,3}\s*", text):
        n = int(text)
        numbered = ((i, re.match(r"\d+", i)) for i in ids)
        hits = [i for i, m in numbered if m is not None and int(m.group()) == n]
        if len(hits) == 1:
            return hits[0]
    return None


def is_level_path(text: str) -> bool:
    """--level names a file (ends in .toml or has a folder in it) rather than a level id."""
    return text.strip().lower().endswith(".toml") or "/" in text or os.sep in text


def resolve_level_arg(text: str) -> str:
    """--level's value as a level id, or as the absolute path of a level file; raises
    UsageError listing the available ids, or saying why the file cannot be used."""
    from sandbox.levels import level_files

    if is_level_path(text):
        path = Path(text).expanduser()
        if not path.is_file():
            raise UsageError(
                f"--level {text!r}: no such file (give a level file, e.g. "
                "my-level.toml, or a level id such as 01-one-crease)"
            )
        return str(path.absolute())
    try:
        ids = [p.stem for p in level_files()]
    except FileNotFoundError as exc:
        raise UsageError(f"--level {text!r}: {exc}") from None
    level_id = resolve_level_id(text, ids)
    if level_id is None:
        raise UsageError(f"--level {text!r}: no such level; available: {', '.join(ids) or 'none'}")
    return level_id


def sandbox_options_given(argv: list[str]) -> bool:
    """Whether the command line names any sandbox option (even with its default value)."""
    parser = build_parser()
    parser.set_defaults(**{name: None for name in SANDBOX_OPTIONS})
    ns, _ = parser.parse_known_args(argv)
    return any(getattr(ns, name, None) not in (None, False) for name in SANDBOX_OPTIONS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neural-origami",
        description=(
            "See what a ReLU network does to the plane, exactly and live: paint points, press "
            "Space, and watch the creases, linear regions and decision boundary move."
        ),
        epilog=(
            "Headless screenshot: neural-origami --size 1280x800 --dataset ring --steps 2000 "
            "--view regions,creases --screenshot out.png (on Linux without a display this uses "
            "offscreen EGL: SDL_VIDEODRIVER=offscreen PYOPENGL_PLATFORM=egl). "
            "Movies for slides: neural-origami render --dataset ring --steps 2000 --frames 60 "
            "--out ring.gif (neural-origami render --help lists its options)."
        ),
    )
    a = parser.add_argument
    a("--size", default="1280x800", metavar="WxH", help="window size in pixels (1280x800)")
    a("--steps", type=int, default=0, metavar="N", help="training steps before the first frame")
    a("--screenshot", default=None, metavar="PATH", help="render one frame to a PNG and exit")
    a("--fullscreen", action="store_true", help="start in full screen")
    a("--hide-ui", action="store_true", help="hide the panels (Tab toggles them)")
    a("--play", action="store_true", help="start training right away")
    a("--frames", type=int, default=None, metavar="N", help="quit after N frames")
    a(
        "--level",
        default=None,
        metavar="ID|PATH",
        help="start a guided level: its file name without .toml (01-one-crease), its number, "
        "or the path of any level file (my-level.toml)",
    )
    a("--picture", default=None, metavar="PATH", help=PICTURE_HELP)
    a("--experiment", default=None, metavar="ID", help=EXPERIMENT_HELP)
    a("--points-file", default=None, metavar="PATH", help=POINTS_FILE_HELP)
    add_setting_options(parser, defaults={"dataset": None})
    return parser


def check_steps(steps: int) -> None:
    if not 0 <= steps <= MAX_TRAIN_STEPS:
        raise UsageError(f"--steps {steps}: allowed 0 to {MAX_TRAIN_STEPS:,}")


def check_output_path(option: str, path: str, suffixes: tuple[str, ...]) -> Path:
    """A file the command line will write: the right extension, not a folder, in a folder that
    exists and can be written. Raises UsageError naming the option and what is allowed."""
    out = Path(path)
    if out.suffix.lower() not in suffixes:
        allowed = ", ".join(suffixes[:-1]) + (" or " if len(suffixes) > 1 else "") + suffixes[-1]
        raise UsageError(f"{option} {path!r}: the file name must end in {allowed}")
    if out.is_dir():
        raise UsageError(f"{option} {path!r} is a folder; give a file name")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{option} {path!r}: the folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UsageError(f"{option} {path!r}: cannot write there (permission denied)")
    return out


def config_from_args(ns: argparse.Namespace) -> AppConfig:
    """Validate parsed options into an AppConfig; raises UsageError with a clear message."""
    check_steps(ns.steps)
    if ns.screenshot is not None:
        check_output_path("--screenshot", ns.screenshot, (".png",))
    if ns.frames is not None and ns.frames < 1:
        raise UsageError(f"--frames {ns.frames}: must be 1 or more")
    settings = {s.name: setting_value(s, getattr(ns, s.name)) for s in with_cli()}
    picture = picture_dataset(ns.picture, ns.dataset)
    settings["dataset"] = picture or ns.dataset or setting("dataset").default
    level = resolve_level_arg(ns.level) if ns.level is not None else None
    return AppConfig(
        size=parse_size(ns.size),
        steps=ns.steps,
        screenshot=ns.screenshot,
        fullscreen=ns.fullscreen,
        level=level,
        hide_ui=ns.hide_ui,
        play=ns.play,
        frames=ns.frames,
        experiment=experiment_arg(ns.experiment),
        points_file=points_file_arg(ns.points_file),
        **settings,  # type: ignore[arg-type]
    )


def prepare_environment(config: AppConfig) -> None:
    """Headless set-up before pygame loads: a screenshot on Linux without a display renders
    offscreen through EGL; audio is never needed."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if config.screenshot and headless and sys.platform.startswith("linux"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    if os.environ.get("SDL_VIDEODRIVER") == "offscreen":
        os.environ.setdefault("PYOPENGL_PLATFORM", "egl")


def main(argv: list[str] | None = None) -> int:
    # One BLAS thread unless the user asks otherwise, set before anything imports numpy: the
    # Laplace refit's small matrices gain nothing from a second thread, and with the software
    # GL renderer and the trainer busy on the other core a two-thread BLAS stalls (measured
    # 24 ms per refit against 6 ms single-threaded).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["render"]:
        from sandbox.render_cli import main as render_main

        return render_main(args[1:])
    parser = build_parser()
    ns = parser.parse_args(args)
    if ns.experiment == "list":
        from sandbox.experiments import listing

        print(listing())
        return 0
    try:
        config = config_from_args(ns)
    except UsageError as exc:
        print(f"neural-origami: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    given = sys.argv[1:] if argv is None else list(argv)
    config.menu = (
        config.level is None and config.experiment is None and not sandbox_options_given(given)
    )
    prepare_environment(config)
    from sandbox.app import StartupError, run

    try:
        return run(config)
    except StartupError as exc:
        print(f"neural-origami: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
