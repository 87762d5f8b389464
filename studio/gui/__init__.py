"""The desktop studio: the only package that imports PySide6 and pyqtgraph.

`app.main()` starts it; `session.Session` runs the core Trainer on a QThread; `main_window` lays out
the panels under `widgets/`, which receive numpy and plain numbers, never tensors.
"""
