"""What the studio says to the person using it, in one place the actions are handed: a short
confirmation where the eye is after an action (the status bar), an error in the banner, a line in the
Log tab, work going on off the GUI thread. Actions get this instead of the window."""
from __future__ import annotations


class Say:
    def __init__(self, status, banner, log):
        self.status, self.banner, self.log_panel = status, banner, log

    def flash(self, text: str) -> None:
        """Confirm an action where the user looks: the status bar."""
        self.status.flash(text)

    def error(self, text: str, detail: str = "") -> None:
        """One line in the banner, and in the log with the details (a traceback for a bug)."""
        self.banner.show_error(text)
        self.log_panel.append(text, "error", detail)

    def log(self, text: str, level: str = "info", detail: str = "") -> None:
        self.log_panel.append(text, level, detail)

    def busy(self, text: str) -> None:
        """Work off the GUI thread ("Loading step_00001000.pt…"); '' when it is done."""
        self.status.set_busy(text)
