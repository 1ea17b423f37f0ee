"""levels/README.md's "Write your first level in ten minutes": its example level is loaded from
the README text exactly as written, played headlessly with the level's own controls, and won,
with the stars its rules promise; the error message the walkthrough quotes is the loader's own.
"""

from __future__ import annotations

import re

import pytest

from sandbox.levels import LevelError, level_from_toml
from sandbox.levels.session import LevelSession
from sandbox.resources import resource_dir

MARK = "<!-- walkthrough-example:"


def example() -> str:
    text = (resource_dir("levels") / "README.md").read_text(encoding="utf-8")
    assert MARK in text, "the walkthrough's example is marked in levels/README.md"
    found = re.search(r"```toml\n(.*?)```", text[text.index(MARK) :], re.S)
    assert found is not None
    return found.group(1)


def test_the_walkthrough_example_loads_and_is_won_with_its_own_controls():
    level = level_from_toml(example(), "two-moons", "Level files/two-moons.toml")
    assert level.title == "Two moons"
    s = LevelSession(level)
    assert not s.goal_met()
    for _ in range(8):  # press Train; look every 500 steps
        s.train(500)
        if s.goal_met():
            break
    assert s.goal_met(), f"not won after {s.steps} steps"
    assert s.stars() >= 2  # won with the 6 neurons it starts with
    s.set_hidden([4])  # the three-star rule: fewer neurons, then train again
    for _ in range(10):
        s.train(500)
        if s.stars() == 3:
            break
    assert s.stars() == 3
    with pytest.raises(Exception, match="is hidden here"):
        s.configure(learning_rate=0.1)  # a control the level hides is refused


def test_the_walkthrough_quotes_the_loaders_own_message():
    broken = example().replace("learning_rate = 0.03", "learning_rate = 30")
    with pytest.raises(LevelError) as err:
        level_from_toml(broken, "two-moons", "Level files/two-moons.toml")
    readme = (resource_dir("levels") / "README.md").read_text(encoding="utf-8")
    assert f"`{err.value}`" in readme
