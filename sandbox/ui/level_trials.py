"""The questions and trials of the level panel: the quiz, the prediction asked before training
(its choices, and once the run has answered, the right one and why), the "Let training try"
button of a race, and the seeds' button with its table of runs.

`LevelTrialsPanel` is mixed into `LevelPanels` (which gives the widget helpers and the
`status`); it reads the scene's `LevelStatus` and emits actions (`AnswerQuiz`, `Predict`,
`RunRace`, `RunSeeds`, `ShowSeed`), never changing either.
"""

from __future__ import annotations

import math

from pygame_gui.elements import UIButton

from sandbox import game_actions as G
from sandbox.state import AppState
from sandbox.ui.level_plan import LevelStatus, story_html

MAX_SEED_ROWS = 8


class LevelTrialsPanel:
    """The quiz, prediction, race and seeds parts of the level panel; see the module docstring."""

    status: LevelStatus
    named: dict[str, UIButton]

    def _choices(self, panel, pad: int, y: int, inner: int, choices, marks, prefix, act) -> int:
        """Numbered choice texts (with their marks), then a row of number buttons."""
        s = self.s
        for i, choice in enumerate(choices):
            text = f"<b>{i + 1}.</b> {story_html(choice)}{marks[i]}"
            box = self._text(panel, (pad, y, inner, -1), text, "@goal_text")
            y += box.rect.height + s(4)
        gap = s(6)
        n = len(choices)
        bw = (inner - (n - 1) * gap) // n
        for i in range(n):
            b = self._button(
                panel,
                (pad + i * (bw + gap), y, bw, s(36)),
                str(i + 1),
                f"Answer {i + 1}: {choices[i]}",
                lambda i=i: act(i),
                cls="@toggle",
            )
            self.named[f"{prefix}_{i}"] = b
        return y + s(46)

    def _build_quiz(self, panel, state: AppState, pad: int, y: int, inner: int) -> int:
        st = self.status
        quiz = st.level.quiz
        s = self.s
        self._label(panel, (pad, y, inner, s(20)), "QUESTION", "@section")
        y += s(24)
        box = self._text(panel, (pad, y, inner, -1), story_html(quiz.question), "@goal_text")
        y += box.rect.height + s(6)
        marks = []
        for i in range(len(quiz.choices)):
            picked = st.quiz_choice == i
            # words, not check marks: the UI font has no glyph for them
            marks.append(" <b>(right)</b>" if picked and st.quiz_right else
                         (" (not this one)" if picked else ""))  # fmt: skip
        y = self._choices(panel, pad, y, inner, quiz.choices, marks, "quiz", G.AnswerQuiz)
        for i in range(len(quiz.choices)):
            b = self.named[f"quiz_{i}"]
            if st.quiz_choice == i:
                b.select()
            if st.quiz_right:
                b.disable()
        return y

    def _build_trials(self, panel, state: AppState, pad: int, y: int, inner: int, part: str) -> int:
        """Part "predict" (above the goals: it is the first thing to do) or "runs" (the race's
        and the seeds' buttons, below the readouts that show their numbers)."""
        level = self.status.level
        if part == "predict" and level.predict is not None:
            y = self._build_predict(panel, pad, y, inner) + self.s(6)
        if part == "runs" and level.race is not None:
            y = self._build_race(panel, pad, y, inner)
        if part == "runs" and level.seeds is not None:
            y = self._build_seeds(panel, pad, y, inner)
        return y

    def _fit(self, inner: int, cls: str, *texts: str) -> str:
        """The first of `texts` (longest first) that fits a button `inner` wide."""
        for text in texts:
            if self.text_width(text, cls) <= inner - self.s(16):
                return text
        return texts[-1]

    def _build_predict(self, panel, pad: int, y: int, inner: int) -> int:
        """The question; its choices with number buttons until one is picked; then the pick,
        and once the run has answered, the right choice and why."""
        st = self.status
        spec = st.level.predict
        s = self.s
        title = "PREDICT FIRST" if st.prediction is None else "YOUR PREDICTION"
        self._label(panel, (pad, y, inner, s(20)), title, "@section")
        y += s(24)
        box = self._text(panel, (pad, y, inner, -1), story_html(spec.question), "@goal_text")
        y += box.rect.height + s(6)
        if st.prediction is None:
            y = self._choices(panel, pad, y, inner, spec.choices, [""] * len(spec.choices),
                              "predict", G.Predict)  # fmt: skip
            box = self._text(panel, (pad, y - s(4), inner, -1), "Pick one: then you can train.",
                             "@note")  # fmt: skip
            return y + box.rect.height + s(4)
        for i, choice in enumerate(spec.choices):
            if i == spec.answer and st.revealed:
                mine = i == st.prediction
                mark = " <b>(right, your pick)</b>" if mine else " <b>(right)</b>"
            elif i == st.prediction:
                mark = " <b>(your pick)</b>"
            else:
                continue  # only the pick, and the right answer once the run gave it
            text = f"<b>{i + 1}.</b> {story_html(choice)}{mark}"
            box = self._text(panel, (pad, y, inner, -1), text, "@goal_text")
            y += box.rect.height + s(4)
        if st.revealed:
            verdict = "You were right!" if st.prediction == spec.answer else "Not this time."
            text = f"<b>{verdict}</b> {story_html(spec.why)}"
            box = self._text(panel, (pad, y + s(2), inner, -1), text, "@hint_box")
            y += box.rect.height + s(12)
        else:
            box = self._text(panel, (pad, y, inner, -1), "Now the run will tell.", "@note")
            y += box.rect.height + s(6)
        return y

    def _build_race(self, panel, pad: int, y: int, inner: int) -> int:
        st = self.status
        s = self.s
        steps = st.level.race.steps
        if st.raced:
            text = self._fit(inner, "@primary", "Let training try again", "Try again", "Again")
        else:
            text = self._fit(inner, "@primary", "Let training try", "Training's turn", "Go")
        tip = (
            f"Training starts from the same weights you started from and gets {steps} steps. "
            "Its loss shows beside yours."
        )
        b = self._button(panel, (pad, y, inner, s(40)), text, tip, G.RunRace, cls="@primary")
        self.named["race"] = b
        y += s(48)
        if st.raced:  # training's try on the plane, and back
            on = st.showing_race
            text = (
                "Back to mine"
                if on
                else self._fit(
                    inner, "@toggle", "See training's creases", "Training's creases", "See it"
                )
            )
            tip = ("Training's network is on the plane now; your creases come back with this "
                   "button." if on else "Put training's try on the plane, to compare its "
                   "creases with yours (you can't change it).")  # fmt: skip
            act = lambda: G.ShowRace(not self.status.showing_race)  # noqa: E731
            b = self._button(panel, (pad, y, inner, s(36)), text, tip, act, cls="@toggle")
            self.named["race_view"] = b
            if on:
                b.select()
            y += s(44)
        return y + s(2)

    def _build_seeds(self, panel, pad: int, y: int, inner: int) -> int:
        st = self.status
        s = self.s
        spec = st.level.seeds
        text = f"Train {spec.count} seeds" if not st.seeds_running else "Training seeds..."
        text = self._fit(inner, "@primary", text, f"{spec.count} seeds")
        tip = (
            f"Train this network from {spec.count} different random starts, {spec.steps} steps "
            "each, one after another. Click a row to see that run."
        )
        b = self._button(panel, (pad, y, inner, s(40)), text, tip, G.RunSeeds, cls="@primary")
        self.named["seeds"] = b
        if st.seeds_running:
            b.disable()
        y += s(48)
        for i, (seed, loss, acc) in enumerate(st.seed_rows[:MAX_SEED_ROWS]):
            right = f"{acc:.0%} right" if math.isfinite(acc) else ""
            words = f"Start {i + 1}: loss {loss:.2f}  {right}"
            if self.text_width(words, "@toggle") > inner - s(12):
                words = f"#{i + 1}: {loss:.2f}  {acc:.0%}" if math.isfinite(acc) else f"#{i + 1}"
            row = self._button(
                panel,
                (pad, y, inner, s(30)),
                words,
                f"Show the network of start {i + 1} (seed {seed}) on the plane.",
                lambda i=i: G.ShowSeed(i),
                cls="@toggle",
            )
            self.named[f"seed_{i}"] = row
            if st.seed_shown == i:
                row.select()
            y += s(34)
        accs = [acc for _, _, acc in st.seed_rows if math.isfinite(acc)]
        if accs and not st.seeds_running:  # the spread, in one line
            low, high = min(accs), max(accs)
            words = f"From {low:.0%} to {high:.0%} right: " + (
                "the start matters!" if high - low >= 0.05 else "every start did about as well."
            )
            box = self._text(panel, (pad, y, inner, -1), words, "@note")
            y += box.rect.height
        return y + (s(6) if st.seed_rows else 0)
