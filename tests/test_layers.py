"""What the import-linter contracts in pyproject.toml (run by `make test`) do not check: imports of the
studio's own modules sit at the top of each module, and the one registry of each kind is complete."""
import ast
from pathlib import Path

import studio.data.base as data_base
import studio.games
from studio.config.schema import DATA_KINDS, VARIANT_PARAMS

STUDIO = Path(__file__).resolve().parents[1] / "studio"


def imports_inside_functions(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    out = []
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for n in ast.walk(fn):
                if isinstance(n, ast.ImportFrom):
                    out.append((n.lineno, "." * n.level + (n.module or "")))
                elif isinstance(n, ast.Import):
                    out.extend((n.lineno, a.name) for a in n.names)
    return out


def test_imports_at_the_top_but_a_handful_each_with_its_reason():
    hidden = []
    for f in sorted(STUDIO.rglob("*.py")):
        lines = f.read_text().splitlines()
        for lineno, module in imports_inside_functions(f):
            assert "#" in lines[lineno - 1], f"{f.relative_to(STUDIO)}:{lineno}: import of {module} inside a " \
                                             f"function without a comment saying why"
            hidden.append((f.relative_to(STUDIO).as_posix(), module))
    first_party = [h for h in hidden if h[1].startswith((".", "studio"))]
    # third-party imports that are optional (optuna, onnx, tensorboard: extras) or slow and seldom needed
    # (scikit-learn, torchvision, scipy: about a second each, which `gan-studio --version` or a toy run
    # should not pay); no other package, and none imported in more than a few places
    lazy = {"optuna", "onnx", "onnxruntime", "torch.utils.tensorboard", "tensorboard", "sklearn", "torchvision",
            "scipy"}
    third = [h for h in hidden if not h[1].startswith((".", "studio"))]
    assert all(m in lazy or m.split(".")[0] in lazy for _, m in third), third
    assert len(third) <= 10, third
    assert first_party == [("cli.py", ".gui.app")], first_party   # the studio, only when asked for


def test_every_data_kind_and_every_game_is_registered_once():
    assert set(data_base.KINDS) == set(DATA_KINDS)
    assert set(studio.games.REGISTRY) == set(VARIANT_PARAMS)
    for name, cls in studio.games.REGISTRY.items():
        assert VARIANT_PARAMS[name] is cls.Params and cls.Params.__module__ == cls.__module__, name
