"""View › Dirac-GAN: compare training methods. Opens the comparison window and computes it on a worker
thread (`tools.plots.dirac_compare`), from the starting point of the current run when it plays the
Dirac-GAN (θ0 = model.theta0, ψ0 = 0: its discriminator starts at zero) with its step size when both
players use plain SGD at one rate, else from (1, 0) with step 0.15."""
from __future__ import annotations

from PySide6.QtCore import QObject

from ...config.schema import Config, ConfigError
from ...tools.plots import dirac_compare
from ..jobs import Jobs
from ..views.dirac_compare import DiracCompareWindow

DEFAULT = ((1.0, 0.0), 0.15, 600)
LINK = "dirac-compare"          # the href of the link in the Dirac-GAN presets' caption


def start_of(cfg: Config | None) -> tuple[tuple[float, float], float, int]:
    """((θ0, ψ0), step size, steps) for the comparison: the run's own when it is a Dirac-GAN."""
    if cfg is None or cfg.model.kind != "dirac":
        return DEFAULT
    lr = DEFAULT[1]
    if cfg.optim_d.kind == cfg.optim_g.kind == "sgd" and cfg.optim_d.lr == cfg.optim_g.lr:
        lr = float(cfg.optim_g.lr)
    return (float(cfg.model.theta0), 0.0), lr, int(min(max(cfg.train.steps, 1), 5000))


class DiracCompare(QObject):
    """`config()`: the configuration to compare from (the live run's, else the next run's); the
    comparison window is a child of `parent`."""

    def __init__(self, config, say, parent=None):
        super().__init__(parent)
        self.config, self.say = config, say
        self.jobs = Jobs(self, latest=True)     # the newest comparison asked for wins
        self.window: DiracCompareWindow | None = None

    def open(self) -> DiracCompareWindow:
        """Show the window and compute the comparison for the current run (or the next run's config)."""
        start, lr, steps = start_of(self.config())
        if self.window is None:
            self.window = DiracCompareWindow(self.parent())
        win = self.window
        win.view.show_busy(f"Computing the comparison from (θ, ψ) = ({start[0]:g}, {start[1]:g}), "
                           f"{steps:,} steps of size {lr:g}…")

        def done(results):
            win.view.set_results(results, start, lr, steps)

        def failed(e, tb):
            if isinstance(e, ConfigError):
                win.view.show_error(str(e))
            else:
                win.view.show_error(f"The comparison failed ({type(e).__name__}); the Log tab has the details.")
                self.say.log(f"Dirac-GAN comparison failed: {type(e).__name__}: {e}", "error", tb)

        self.jobs.run(lambda: dirac_compare(start, lr, steps), done, failed)
        win.show()
        win.raise_()
        win.activateWindow()
        return win

    def link(self, href: str) -> None:
        if href == LINK:
            self.open()
