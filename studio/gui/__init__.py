"""The desktop studio: the only package that imports PySide6 and pyqtgraph.

`app.main()` starts it; `session.Session` runs the engine's Trainer on a QThread and sends it typed
commands; `main_window` lays out the `panels/` and the game `views/`, which receive numpy and plain
numbers, never tensors; `actions/` holds what runs off the GUI thread (opening, exporting).
"""
