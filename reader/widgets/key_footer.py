"""KeyFooter: Textual's Footer, rebuilt once per batch of binding changes rather than each."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A Footer that coalesces binding changes into one recompose.

    Textual's Footer schedules a full recompose (every key widget unmounted, made and styled
    again) for each `bindings_updated` signal. A screen that is mounting, taking the focus
    and updating its keys publishes several in a row; the recompose reads the bindings when
    it runs, so one is enough for all of them.
    """

    _recompose_pending = False
    """True from a binding change until the recompose it scheduled has started."""

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Schedule one recompose for this and any further change before it runs.

        Textual's Footer waits for the next refresh (call_after_refresh); call_later runs
        it before then, so that the screen's first frame already shows the keys.
        """
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._recompose_pending:
            self._recompose_pending = True
            self.call_later(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_pending = False
        await self.recompose()
