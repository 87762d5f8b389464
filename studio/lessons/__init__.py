"""Lessons: the lecture notes played as guided sequences of games (issue 21).

A lesson is a TOML file in presets/lessons/ (format.py reads it strictly); the player (play.py) sets
up each page's runs from presets, drives the trainer's generator of events, records what the page's
checks need and measures them (checks.py, with the quantities that do not exist elsewhere in
probes.py); report.py writes a teacher's handout; progress.py remembers where a student is. Qt-free:
the studio's lesson panel (studio/gui/panels/lesson_panel.py) shows what these produce.
"""
