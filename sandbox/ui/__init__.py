"""The user interface drawn with pygame and pygame-gui: panels, cards, the heads-up display,
input mapping and themes. Panels read the state and emit actions; they never change the state.

`base` holds the panel base every panel class builds on (widget registry, helpers, widget event
to action dispatch), `rows` the row builder that turns setting rows into labelled controls.
"""
