"""The panel base every pygame-gui panel class builds on: the widget registry, the helpers that
make labels, buttons, sliders, drop-downs, text boxes and images at the UI scale, and the dispatch
from a widget event to the action it asks for.

A panel class (sandbox, level, stage views, menu) makes its widgets through these helpers, so each
widget is registered once: `elements` (killed together by `clear`), `controls` (every interactive
element: each carries a plain-words tooltip), and the three tables from widget to action maker
(`_press` for buttons, `_slide` for sliders, `_select` for drop-downs) that `handle_event` reads.
Labels grow to their font's height (`label_rect`), so text is never clipped at any UI scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import pygame
import pygame_gui
from pygame_gui.core import ObjectID, UIElement
from pygame_gui.core.interfaces import IContainerLikeInterface
from pygame_gui.elements import (
    UIButton,
    UIDropDownMenu,
    UIHorizontalSlider,
    UIImage,
    UILabel,
    UIPanel,
    UITextBox,
)

from sandbox import actions as A
from sandbox.ui.game_theme import CARD_LOOKS, card_surface

if TYPE_CHECKING:
    from sandbox.state import AppState

TOOLTIP_DELAY = 0.5
TIP_WIDTH = 300  # tooltip wrap width at 1x
# font sizes of the label classes at 1x (assets/theme.json)
LABEL_FONT_PX = {
    "@label": 15,
    "@value": 15,
    "@readout": 16,
    "@big_readout": 18,
    "@hint": 13,
    "@section": 13,
    "@title": 19,
}

Container = IContainerLikeInterface | None  # what a widget sits in (None: the window itself)
Widget = TypeVar("Widget", bound=UIElement)

Press = Callable[[], "A.Action | None"]
Slide = Callable[[float], "A.Action | None"]
Select = Callable[[str], "A.Action | None"]


def widget_actions(
    event: pygame.event.Event,
    press: dict[UIElement, Press],
    slide: dict[UIElement, Slide],
    select: dict[UIElement, Select],
) -> list[A.Action]:
    """The action a pygame-gui widget event asks for, through a panel's widget tables."""
    element = getattr(event, "ui_element", None)
    if element is None:
        return []
    action = None
    if event.type == pygame_gui.UI_BUTTON_PRESSED and element in press:
        action = press[element]()
    elif event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED and element in slide:
        action = slide[element](event.value)
    elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and element in select:
        option = getattr(event, "selected_option_id", None) or event.text
        action = select[element](option)
    return [action] if action is not None else []


def label_rect(rect: tuple, cls: str, scale: float) -> pygame.Rect:
    """`rect` grown evenly up and down to the height a label of class `cls` needs at `scale`."""
    x, y, w, h = rect
    # taller than the font needs, at every scale (rounding makes big fonts a bit taller)
    need = math.ceil(LABEL_FONT_PX.get(cls, 15) * scale * 1.7)
    if h < need:
        y -= (need - h) // 2
        h = need
    return pygame.Rect(x, y, w, h)


class PanelBase:
    """The widget registry and helpers shared by every panel class (see the module docstring)."""

    tooltip_delay = TOOLTIP_DELAY
    tip_width = TIP_WIDTH

    def __init__(self, manager: pygame_gui.UIManager, scale: float) -> None:
        self.manager = manager
        self.scale = scale
        self.elements: list[UIElement] = []
        self.controls: list[UIElement] = []  # every interactive element (each has a tooltip)
        self._press: dict[UIElement, Press] = {}
        self._slide: dict[UIElement, Slide] = {}
        self._select: dict[UIElement, Select] = {}
        self._labels: dict[str, UILabel] = {}
        self._label_text: dict[str, str] = {}
        self._at_reading: dict[str, tuple[object, Any]] = {}  # (metrics, value), by readout

    def s(self, px: float) -> int:
        """`px` at the UI scale."""
        return round(px * self.scale)

    def at_reading(self, key: str, state: AppState, value: Any) -> Any:
        """`value` as it was when the metrics were last read (ten times a second) while
        training, else `value`: a readout that would change every frame (each change draws and
        uploads the UI again) changes with the step and the loss instead."""
        seen = self._at_reading.get(key)
        if not state.playing or seen is None or seen[0] is not state.metrics:
            seen = self._at_reading[key] = (state.metrics, value)
        return seen[1]

    def clear(self) -> None:
        """Kill every widget and forget every registration (subclasses clear their own too)."""
        for el in self.elements:
            el.kill()
        self.elements.clear()
        self.controls.clear()
        self._press.clear()
        self._slide.clear()
        self._select.clear()
        self._labels.clear()
        self._label_text.clear()

    def handle_event(self, event: pygame.event.Event) -> list[A.Action]:
        """Actions for a pygame-gui widget event (empty for anything else)."""
        return widget_actions(event, self._press, self._slide, self._select)

    # ------------------------------------------------------------------ helpers
    def _add(self, element: Widget) -> Widget:
        self.elements.append(element)
        return element

    def _tip(self, element: UIElement, text: str) -> None:
        """A tooltip on an interactive element (which is then listed in `controls`)."""
        element.set_tooltip(text, delay=self.tooltip_delay, wrap_width=self.s(self.tip_width))
        self.controls.append(element)

    def _panel(
        self,
        rect: tuple,
        oid: str,
        cls: str = "@panel",
        height: int = 1,
        container: Container = None,
    ) -> UIPanel:
        """A panel; a card class (`CARD_LOOKS`) gets its drawn background as its first child,
        which dies with the panel."""
        panel = self._add(
            UIPanel(
                pygame.Rect(rect),
                starting_height=height,
                manager=self.manager,
                container=container,
                object_id=ObjectID(object_id=oid, class_id=cls),
            )
        )
        look = CARD_LOOKS.get(cls)
        if look is not None:
            size = panel.get_container().get_rect().size
            UIImage(
                pygame.Rect((0, 0), size),
                card_surface(size, look, self.scale),
                manager=self.manager,
                container=panel,
            )
        return panel

    def _label(
        self,
        container: Container,
        rect: tuple,
        text: str,
        cls: str = "@label",
        key: str | None = None,
        grow: bool = True,
    ) -> UILabel:
        """A label; `key` names it for `_set_label`; `grow` makes it tall enough for its font."""
        label = UILabel(
            label_rect(rect, cls, self.scale) if grow else pygame.Rect(rect),
            text,
            manager=self.manager,
            container=container,
            object_id=ObjectID(class_id=cls, object_id=f"#{key}" if key else None),
        )
        self._add(label)
        if key:
            self._labels[key] = label
            self._label_text[key] = text
        return label

    def _set_label(self, key: str, text: str) -> None:
        if self._label_text.get(key) != text and key in self._labels:
            self._labels[key].set_text(text)
            self._label_text[key] = text

    def _set_label_fit(self, key: str, *texts: str) -> None:
        """The first of `texts` (longest first) that fits label `key`'s width."""
        label = self._labels.get(key)
        if label is None:
            return
        for text in texts:
            if label.font.size(text)[0] <= label.rect.width - 4:
                break
        self._set_label(key, text)

    def _button(
        self,
        container: Container,
        rect: tuple,
        text: str,
        tip: str,
        on_press: Press,
        cls: str = "@button",
        oid: str | None = None,
    ) -> UIButton:
        button = UIButton(
            pygame.Rect(rect),
            text,
            manager=self.manager,
            container=container,
            object_id=ObjectID(class_id=cls, object_id=oid),
        )
        self._add(button)
        if tip:
            self._tip(button, tip)
        self._press[button] = on_press
        return button

    def _slider(
        self,
        container: Container,
        rect: tuple,
        start: int,
        value_range: tuple[int, int],
        tip: str,
        on_move: Slide,
    ) -> UIHorizontalSlider:
        slider = UIHorizontalSlider(
            pygame.Rect(rect),
            start_value=start,
            value_range=value_range,
            manager=self.manager,
            container=container,
            click_increment=1,
        )
        self._add(slider)
        self._tip(slider, tip)
        if slider.sliding_button is not None:
            slider.sliding_button.set_tooltip(
                tip, delay=self.tooltip_delay, wrap_width=self.s(self.tip_width)
            )
        self._slide[slider] = on_move
        return slider

    def _dropdown(
        self,
        container: Container,
        rect: tuple,
        options: list[tuple[str, str]],
        current: str,
        tip: str,
        on_select: Select,
    ) -> UIDropDownMenu:
        start = next((o for o in options if o[1] == current), options[0])
        dd = UIDropDownMenu(
            options, start, pygame.Rect(rect), manager=self.manager, container=container
        )
        self._add(dd)
        self._tip(dd, tip)
        self._select[dd] = on_select
        return dd

    def _text(
        self, container: Container, rect: tuple, html: str, cls: str, wrap: bool = True
    ) -> UITextBox:
        """A text box of simple HTML; with `wrap` it grows to the height its text needs."""
        return self._add(
            UITextBox(
                html,
                pygame.Rect(rect),
                manager=self.manager,
                container=container,
                wrap_to_height=wrap,
                object_id=ObjectID(class_id=cls),
            )
        )

    def _measure(self, html: str, cls: str, width: int) -> int:
        """Height a text box needs for `html` at `width` (so a card is made at its final size:
        pygame-gui redraws a resized rounded panel only after a delay)."""
        box = UITextBox(
            html,
            pygame.Rect(0, 0, width, -1),
            manager=self.manager,
            wrap_to_height=True,
            object_id=ObjectID(class_id=cls),
        )
        height = box.rect.height
        box.kill()
        return height

    def text_width(self, text: str, cls: str, element: str = "button") -> int:
        """Width in pixels of `text` in the font the theme gives class `cls` of `element`."""
        return self.manager.get_theme().get_font([cls, element]).size(text)[0]

    def _image(
        self, container: Container, rect: tuple, image: pygame.Surface, tip: str | None = None
    ) -> UIImage:
        img = self._add(
            UIImage(pygame.Rect(rect), image, manager=self.manager, container=container)
        )
        if tip:
            img.set_tooltip(tip, delay=self.tooltip_delay, wrap_width=self.s(self.tip_width))
        return img

    def _decal(self, container: Container, rect: tuple, image: pygame.Surface) -> Decal:
        return self._add(Decal(pygame.Rect(rect), image, manager=self.manager, container=container))


class Decal(UIImage):
    """An image that the mouse passes through, so the button under it keeps hover and clicks."""

    def hover_point(self, hover_x: float, hover_y: float) -> bool:
        return False


def select_if(button: UIButton, on: bool) -> None:
    """Show a toggle button selected exactly when `on`."""
    if on and not button.is_selected:
        button.select()
    elif not on and button.is_selected:
        button.unselect()
