"""Start-up settings of the application: what the command line, tests and benchmarks ask for.

`AppConfig` is read by the app, the scenes and the renderer; the command lines (sandbox.cli,
sandbox.render_cli) build it. It lives on its own so that none of them imports another to get
it (no import cycle). Standard library only, so `--help` stays instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AppConfig:
    """Start-up settings of the application (from the command line, tests or benchmarks).

    The fields named like settings of `sandbox.settings` hold those settings (None: the app's
    default); the others say how to run (window size, screenshot, frames, level, menu)."""

    size: tuple[int, int] = (1280, 800)
    dataset: str = "ring"
    points: int | None = None
    noise: float | None = None
    steps: int = 0
    views: tuple[str, ...] | None = None
    screenshot: str | None = None
    seed: int = 0
    hidden: tuple[int, ...] = (16, 16, 16)
    activation: str | None = None
    negative_slope: float | None = None
    residual: bool | None = None
    ui_scale: float = 1.0
    fullscreen: bool = False
    level: str | None = None
    learning_rate: float | None = None
    optimizer: str | None = None
    batch_size: int | None = None
    resolution: int | None = None
    schedule: str | None = None
    schedule_steps: int | None = None
    zoom: float | None = None
    hide_ui: bool = False
    play: bool = False
    frames: int | None = None
    skip_loading: bool = False
    menu: bool = False  # open the start menu first (no sandbox options were given)
    experiment: str | None = None  # open this experiment (sandbox.experiments) first
    points_file: str | None = None  # start with the points of this CSV file (sandbox.io.points_csv)
    extra: dict = field(default_factory=dict)
