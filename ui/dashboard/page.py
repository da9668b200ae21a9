"""Dashboard: what the open pipeline is worth (plain and weighted by stage probability), what was won this
month, how many activities are overdue (a link to Activities), and open value per stage as a bar chart.

Every amount is per currency: different currencies are listed side by side and never added together.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.access.shop import ShopService
from app.crm.dashboard import Dashboard, dashboard
from app.crm.deals import DealService, Pipeline, StageColumn
from app.errors import CounterpartError
from app.locale import _, ngettext
from ui.sales.chart import StageBarChart
from ui.sales.deal_dialogs import default_currency
from ui.sales.live import LivePage
from ui.sales.text import totals_text
from ui.session_context import SessionContext
from ui.widgets import MessageLine, heading


class FigureTile(QFrame):
    """A titled figure: amounts one per line in a larger font, and a note under them."""

    def __init__(self, title: str, explanation: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(title, self)
        self.title.setToolTip(explanation)
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.value = QLabel(self)
        big = QFont(self.value.font())
        big.setPointSizeF(big.pointSizeF() * 1.5)
        self.value.setFont(big)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.value.setToolTip(explanation)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.value)
        self.layout_.addWidget(self.note)
        self.layout_.addStretch(1)

    def show_amounts(self, amounts: dict[str, int], note: str = "") -> None:
        self.value.setText(totals_text(amounts, empty=_("None yet")))
        self.note.setText(note)
        self.value.setAccessibleName(
            _("{title}: {amounts}").format(
                title=self.title.text(), amounts=totals_text(amounts, separator=", ", empty=_("none yet"))
            )
        )

    def clear(self) -> None:
        self.value.clear()
        self.note.clear()
        self.value.setAccessibleName("")


class DashboardPage(LivePage):
    open_activities = Signal()  # the overdue count was clicked: the main window shows Activities

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.figures: Dashboard | None = None
        self.pipelines: list[Pipeline] = []
        self.columns: list[StageColumn] = []
        self.open_tile = FigureTile(_("Open pipeline"), _("The value of every open deal, per currency."), self)
        self.weighted_tile = FigureTile(
            _("Weighted value"),
            _("Each open deal's value times the win probability of its stage: what the pipeline is likely worth."),
            self,
        )
        self.won_tile = FigureTile(_("Won this month"), _("Deals marked won since the first of this month."), self)
        self.overdue_tile = FigureTile(
            _("Overdue activities"), _("Open activities of every user that are past their due time."), self
        )
        self.overdue_button = QPushButton(self.overdue_tile)
        self.overdue_button.setAccessibleName(_("Overdue activities: open Activities"))
        self.overdue_button.setToolTip(_("Open Activities to deal with them."))
        self.overdue_button.clicked.connect(self.open_activities)
        self.overdue_tile.value.hide()
        self.overdue_tile.layout_.insertWidget(1, self.overdue_button)
        tiles = QGridLayout()
        for index, tile in enumerate((self.open_tile, self.weighted_tile, self.won_tile, self.overdue_tile)):
            tiles.addWidget(tile, 0, index)
            tiles.setColumnStretch(index, 1)
        self.pipeline_choice = QComboBox(self)
        self.pipeline_choice.setAccessibleName(_("Pipeline shown in the chart"))
        self.currency_choice = QComboBox(self)
        self.currency_choice.setAccessibleName(_("Currency shown in the chart"))
        self.pipeline_choice.currentIndexChanged.connect(lambda _i: self._load_chart())
        self.currency_choice.currentIndexChanged.connect(lambda _i: self._draw_chart())
        self.chart = StageBarChart(self)
        chart_box = QGroupBox(_("Open value per stage"), self)
        choices = QHBoxLayout()
        self.choice_labels: dict[QComboBox, QLabel] = {}
        for text, combo in ((_("Pipe&line:"), self.pipeline_choice), (_("C&urrency:"), self.currency_choice)):
            label = QLabel(text, chart_box)
            label.setBuddy(combo)
            self.choice_labels[combo] = label
            choices.addWidget(label)
            choices.addWidget(combo)
        choices.addStretch(1)
        box_layout = QVBoxLayout(chart_box)
        box_layout.addLayout(choices)
        box_layout.addWidget(self.chart)
        self.chart_note = QLabel(
            _("Each currency is charted on its own; amounts in different currencies are never added together."),
            chart_box,
        )
        self.chart_note.setWordWrap(True)
        box_layout.addWidget(self.chart_note)
        self.message = MessageLine(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(heading(_("Dashboard"), self, 1.5))
        layout.addLayout(tiles)
        layout.addWidget(chart_box)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def load(self) -> None:
        try:
            self.figures = dashboard(self.context.session)
            self.pipelines = DealService(self.context.session).pipelines()
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        figures = self.figures
        deals = ngettext("{n} open deal", "{n} open deals", figures.open_deals).format(n=figures.open_deals)
        self.open_tile.show_amounts(figures.open_value, deals)
        self.weighted_tile.show_amounts(figures.weighted_value, _("by stage probability"))
        self.won_tile.show_amounts(figures.won_this_month)
        overdue = figures.overdue_activities
        self.overdue_button.setText(ngettext("{n} overdue", "{n} overdue", overdue).format(n=overdue))
        self.overdue_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            if overdue
            else self.style().standardIcon(QStyle.StandardPixmap.SP_DialogYesButton)
        )
        self.overdue_tile.note.setText(_("Click to open Activities.") if overdue else _("Nothing overdue."))
        self.overdue_button.setAccessibleName(_("{n} overdue activities: open Activities").format(n=overdue))
        self._fill_choice(self.pipeline_choice, [(p.name, p.id) for p in self.pipelines])
        for widget in (self.pipeline_choice, self.choice_labels[self.pipeline_choice]):
            widget.setVisible(len(self.pipelines) > 1)
        self._load_chart()

    def _fill_choice(self, combo: QComboBox, entries: list[tuple[str, object]], preferred: object = None) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for text, data in entries:
            combo.addItem(text, data)
        index = combo.findData(current)
        if index < 0:
            index = max(combo.findData(preferred), 0)
        combo.setCurrentIndex(index)
        combo.setEnabled(combo.count() > 1)  # nothing to choose between: no empty or one-item drop-down to open
        combo.blockSignals(False)

    def _load_chart(self) -> None:
        pipeline_id = self.pipeline_choice.currentData()
        if pipeline_id is None or not self.context.is_open or self.context.busy:
            return
        try:
            self.columns = DealService(self.context.session).board(int(pipeline_id), per_stage=0)
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        currencies = sorted({currency for column in self.columns for currency in column.totals})
        shop_currency = ShopService(self.context.session).profile().currency
        self._fill_choice(
            self.currency_choice, [(code, code) for code in currencies], default_currency(currencies, shop_currency)
        )
        self._draw_chart()

    def _draw_chart(self) -> None:
        currency = self.currency_choice.currentData()
        if currency is None:
            self.chart.set_data([], "")
            return
        self.chart.set_data([(c.stage.name, c.totals.get(str(currency), 0)) for c in self.columns], str(currency))

    def clear(self) -> None:
        """Lock: no amounts stay on screen."""
        self.forget()
        for tile in (self.open_tile, self.weighted_tile, self.won_tile, self.overdue_tile):
            tile.clear()
        self.overdue_button.setText("")
        for combo in (self.pipeline_choice, self.currency_choice):
            self._fill_choice(combo, [])
        self.chart.set_data([], "")
        self.figures, self.pipelines, self.columns = None, [], []
        self.message.clear()
