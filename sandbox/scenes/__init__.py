"""Screens (menu, sandbox, level) and the feature controllers they are made of.

Imported lazily by sandbox.app after the window opens; see ARCHITECTURE.md for one frame.
"""
