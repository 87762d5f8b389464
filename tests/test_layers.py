"""The layering of architecture.md: gui -> core -> config, Qt only under studio/gui, no torch in widgets."""
import ast
from pathlib import Path

STUDIO = Path(__file__).resolve().parents[1] / "studio"


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_qt_only_in_gui_and_no_torch_in_widgets():
    files = list(STUDIO.rglob("*.py"))
    assert len(files) > 10
    for f in files:
        rel = f.relative_to(STUDIO).as_posix()
        roots = imported_roots(f)
        if not rel.startswith("gui/"):
            assert not roots & {"PySide6", "pyqtgraph", "shiboken6"}, rel
        if rel.startswith("gui/widgets/"):
            assert "torch" not in roots, rel


def test_config_layer_is_standard_library_only():
    for name in ("config.py", "presets.py", "paths.py"):
        roots = imported_roots(STUDIO / name)
        assert not roots & {"torch", "numpy", "PySide6", "pyqtgraph"}, (name, roots)
