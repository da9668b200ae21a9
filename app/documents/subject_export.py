"""The data-subject access export: one PDF with everything the shop holds about one person, in their language.

It answers a GDPR Art. 15 access request (and the CCPA "right to know", PIPL Art. 45): a cover letter, the
data itself (identity, contact details, deals, activities, notes, consent with the exact notice texts, privacy
requests), then the information the law requires in plain words (purposes and lawful bases, categories,
recipients, retention, source, automated decisions, rights, how to complain).

Only SubjectData goes in, so the PDF shows exactly what `app.privacy.subject_data.gather` collected. The file is
rendered in memory and written atomically; the caller keeps the returned SHA-256 in the request register, never
the content. With a password it is encrypted with AES-256 (PDF 2.0, revision 6) for sending by email.

Layout: a first, counting pass (laid out, tables not drawn, nothing saved) finds the page count and where each
heading lands. A long export is then built with reportlab's TableOfContents on its own page, seeded from those
afterFlowable notifications, so multiBuild is satisfied after one pass; either way the final build knows its
page total ("page X of Y"). Tables are Rows, not reportlab's Table: a cell whose text fits on one line is drawn
as font runs straight into one text object per page, and only text that wraps becomes a Paragraph (with a font
for every script). A person with 1,000 activities exports in about 0.35 s of CPU (bench/bench_subject_export).
Emoji and other symbols no bundled font has are left out by fonts.rich_text; the cover letter then says so.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date, time
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.units import format_unit
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    CondPageBreak,
    PageBreak,
    Paragraph,
    Spacer,
)
from reportlab.platypus.tableofcontents import TableOfContents

from app import APP_NAME, __version__
from app.consent.ledger import lawful_basis_label
from app.crm.importing.purchases import amount_text
from app.documents.fonts import BODY_FONT, BOLD_FONT, MONO_FONT, font_name, register_fonts, rich_text
from app.documents.paged import (
    CELL_LEADING,
    CELL_PAD,
    CELL_SIZE,
    KEEP_ROWS,
    Draft,
    Heading,
    Line,
    PagedDocument,
    Rows,
    one_line,
    runs_of,
)
from app.documents.pdf import GREY, MARGIN, RULE, finish, para, table_style
from app.fileio import atomic_write
from app.locale.formatting import babel_locale, day, local_time, money
from app.locale.i18n import translator
from app.privacy.retention import CATEGORY_LABELS
from app.privacy.subject_data import SubjectData

Translate = Callable[[str], str]

_WIDTH = A4[0] - 2 * MARGIN - 12  # the frame pads its content by 6 pt on each side
# Longer exports get a table of contents. The cover letter and the Art. 15 information take about three pages
# by themselves, so this means: when the person's own data runs to more than about three pages.
_TOC_AFTER_PAGES = 6
_MAX_PASSES = 4
_ROLE_FONTS = {role: font_name(role) for role in ("body", "bold", "mono")}
_DASH = "\u2014"
# Supervisory authorities named as examples: (name, territory code or None, website).
_AUTHORITIES = (
    ("ICO (Information Commissioner's Office)", "GB", "ico.org.uk"),
    ("CNIL (Commission nationale de l'informatique et des libertés)", "FR", "cnil.fr"),
    ("AEPD (Agencia Española de Protección de Datos)", "ES", "aepd.es"),
    ("BfDI / Landesdatenschutzbehörde", "DE", "bfdi.bund.de"),
    ("CPPA (California Privacy Protection Agency)", None, "cppa.ca.gov"),
    ("CAC (国家互联网信息办公室)", "CN", "cac.gov.cn"),
)


def write_subject_export(
    out: Path,
    data: SubjectData,
    *,
    request_reference: str | None = None,
    password: str | None = None,
    metadata: dict[str, str] | None = None,
) -> str:
    """Write the export for `data` to `out` (all at once) and return the SHA-256 hex of the file written.

    `password` (optional, non-empty) encrypts the file with AES-256; without it the PDF cannot be opened.
    `metadata` goes into the PDF's document information (the audit log's signed head, #17).
    """
    if password is not None and not password:
        raise ValueError("an export password cannot be empty")
    pdf = finish(render_subject_export(data, request_reference=request_reference), password=password, metadata=metadata)
    atomic_write(out, pdf)
    return hashlib.sha256(pdf).hexdigest()


def render_subject_export(data: SubjectData, *, request_reference: str | None = None) -> bytes:
    """The export as PDF bytes (not encrypted)."""
    register_fonts()
    export = _Export(data, request_reference)
    return export.render()


# --- the export -----------------------------------------------------------------------------------------


class _Export:
    """Builds the story for one person; every string the person reads goes through `self.t` (their language)."""

    def __init__(self, data: SubjectData, reference: str | None) -> None:
        self.data = data
        self.reference = reference.strip() if reference and reference.strip() else None
        self.language = data.language
        self.t: Translate = translator(data.language)
        self.locale = _locale(data.language)
        self.styles = _styles()
        self.charsets = {
            font: frozenset(map(chr, pdfmetrics.getFont(font).face.charToGlyph)) for font in _ROLE_FONTS.values()
        }
        self.draft = Draft()
        self.advances: dict[str, tuple[dict[str, float], float]] = {}  # per font: character widths, default
        self.dates: dict[date, str] = {}  # babel is slow enough to matter 2,000 times over
        self.times: dict[time, str] = {}
        self.moment_pattern = str(self.locale.datetime_formats.get("medium", "{1} {0}"))
        self.furniture: dict[str, Paragraph] = {}
        _ = self.t
        self.shop = data.shop_name.strip() or _("the shop")
        self.sections = self._section_titles()

    # --- rendering ------------------------------------------------------------------------------------------

    def render(self) -> bytes:
        _ = self.t
        title = _("Personal data of {name}").format(name=self.data.name)
        cover = self._cover()
        body = self._body()
        # First pass: how many pages, and where each heading lands (not saved).
        _pdf, first = self._build([*cover, PageBreak(), *body], title, None, save=False)
        total, toc_story, toc = first.pages, [], None
        if first.pages > _TOC_AFTER_PAGES:
            toc = self._toc()
            toc.addEntries([(level, text, page + 1, key) for level, text, page, key in first.entries])
            toc_story = [PageBreak(), para(_("Contents"), self.styles["h1"], "bold"), Spacer(1, 2 * mm), toc]
            total = first.pages + 1
        story = [*cover, *toc_story, PageBreak(), *body]
        for _attempt in range(_MAX_PASSES):
            pdf, doc = self._build(story, title, total, toc=toc)
            if doc.pages == total:
                return pdf
            total = doc.pages  # the table of contents took more than one page: draw the right total
            if toc is not None:
                toc.clearEntries()
                toc.addEntries(doc.entries)
        return pdf

    def _build(
        self, story: list[Any], title: str, total: int | None, *, save: bool = True, toc: TableOfContents | None = None
    ) -> tuple[bytes, PagedDocument]:
        _ = self.t
        buffer = io.BytesIO()
        doc = PagedDocument(
            buffer,
            title=title,
            subject=_("Copy of the personal data we hold about you"),
            language=self.language,
            total_pages=total,
            decorate=self._decorate,
        )
        if not save:
            doc._doSave = 0  # reportlab's own switch (multiBuild uses it): a counting pass writes nothing
        self.draft.on = not save
        for flowable in story:  # undo what a build leaves on the flowables it is given, so they can be reused:
            flowable.__dict__.pop("_postponed", None)  # "moved on once": a second move would raise LayoutError
            flowable.__dict__.pop("keepWithNext", None)  # set to 0 when grouped: it would no longer keep
        try:
            if toc is None:
                doc.build(list(story))
            else:
                doc.multiBuild(list(story))
        finally:
            self.draft.on = False
        return buffer.getvalue(), doc

    def _toc(self) -> TableOfContents:
        base = ParagraphStyle("toc0", fontName=BOLD_FONT, fontSize=10.5, leading=14, spaceBefore=5, rightIndent=12 * mm)
        level1 = ParagraphStyle(
            "toc1",
            parent=base,
            fontName=BODY_FONT,
            fontSize=9.5,
            leading=12.5,
            spaceBefore=0,
            leftIndent=8 * mm,
            firstLineIndent=0,
        )
        return TableOfContents(
            levelStyles=[base, level1],
            dotsMinLevel=0,
            rightColumnWidth=12 * mm,
            tableStyle=table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            ),
        )

    def _decorate(self, canvas: Any, doc: PagedDocument) -> None:
        """Header from page 2 (the shop, whose data this is), footer on every page (reference, page X of Y)."""
        if self.draft.on:
            return
        _ = self.t
        top, width = A4[1] - MARGIN, A4[0] - 2 * MARGIN
        canvas.saveState()
        if not self.furniture:  # the same on every page: made and measured once
            self.furniture["shop"] = one_line(self.shop, self.styles["page"], width * 0.4)
            self.furniture["whose"] = one_line(
                _("Personal data of {name}").format(name=self.data.name), self.styles["page_right"], width * 0.6
            )
            if self.reference:
                self.furniture["reference"] = one_line(
                    _("Reference: {reference}").format(reference=self.reference), self.styles["page"], width * 0.6
                )
        if doc.page > 1:
            self.furniture["shop"].drawOn(canvas, MARGIN, top + 5 * mm)
            self.furniture["whose"].drawOn(canvas, MARGIN + width * 0.4, top + 5 * mm)
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(0.5)
            canvas.line(MARGIN, top + 3.5 * mm, MARGIN + width, top + 3.5 * mm)
        number = _("Page {page} of {total}").format(page=doc.page, total=doc.total_pages or doc.page)
        one_line(number, self.styles["page_right"], width * 0.4).drawOn(canvas, MARGIN + width * 0.6, 9 * mm)
        if "reference" in self.furniture:
            self.furniture["reference"].drawOn(canvas, MARGIN, 9 * mm)
        canvas.restoreState()

    # --- sections -------------------------------------------------------------------------------------------

    def _section_titles(self) -> dict[str, str]:
        _ = self.t
        titles = {
            "identity": _("Your identity and contact details"),
            "deals": _("Deals and purchases"),
            "activities": _("Calls, meetings, emails and tasks"),
            "notes": _("Notes"),
            "consent": _("Consent and privacy choices"),
            "requests": _("Your privacy requests"),
            "art15": _("How we use your data, and your rights"),
        }
        if not self.data.requests:
            del titles["requests"]
        return {key: f"{number}. {title}" for number, (key, title) in enumerate(titles.items(), start=1)}

    def _number(self, key: str) -> str:
        return self.sections[key].split(".")[0]

    def _h1(self, key: str) -> list[Any]:
        return [CondPageBreak(40 * mm), Heading(self.sections[key], self.styles["h1"], 0, f"s-{key}")]

    def _h2(self, key: str, index: int, title: str) -> list[Any]:
        return [
            CondPageBreak(30 * mm),
            Heading(f"{self._number(key)}.{index} {title}", self.styles["h2"], 1, f"s-{key}-{index}"),
        ]

    def _body(self) -> list[Any]:
        story = [*self._identity(), *self._deals(), *self._activities(), *self._notes(), *self._consent()]
        if self.data.requests:
            story += self._requests()
        story += self._art15()
        # A heading stays with what follows it, except a long table: keeping that together would push the whole
        # table to the next page, so the space CondPageBreak leaves before each heading must do.
        for flowable, following in zip(story, story[1:], strict=False):
            if isinstance(flowable, Heading) and not (isinstance(following, Rows) and len(following.rows) > KEEP_ROWS):
                flowable.style = self.styles["h1_keep" if flowable.level == 0 else "h2_keep"]
        return story

    def _cover(self) -> list[Any]:
        _ = self.t
        s, data = self.styles, self.data
        produced = local_time(data.generated_at)
        produced_day = day(produced.date(), self.language, "long") if produced else data.generated_at[:10]
        story: list[Any] = [para(self.shop, s["title"], "bold")]
        story += [para(line.strip(), s["small"]) for line in data.shop_address.splitlines() if line.strip()]
        if data.shop_contact.strip():
            story.append(para(_("Privacy questions: {contact}").format(contact=data.shop_contact.strip()), s["small"]))
        story += [Spacer(1, 1 * mm), para(produced_day, s["body"])]
        if self.reference:
            story.append(para(_("Your request reference: {reference}").format(reference=self.reference), s["body"]))
        story += [
            Spacer(1, 8 * mm),
            para(_("Your personal data"), s["h1"], "bold"),
            para(_("Dear {name},").format(name=data.name), s["body"]),
            para(
                _(
                    "This is a copy of all the personal data {shop} holds about you, as it stood on {date}. It also "
                    "gives the information data protection law says you must receive with it: why we use your "
                    "data, on what legal basis, how long we keep it, who receives it and what your rights "
                    "are (GDPR Article 15, the CCPA right to know, PIPL Article 45). It is free of charge."
                ).format(shop=self.shop, date=produced_day),
                s["body"],
            ),
            para(_("What follows:"), s["body"]),
            *[para("\u2022 " + title, s["bullet"]) for title in self.sections.values()],
            Spacer(1, 2 * mm),
            para(
                _(
                    "Please check it. If anything is wrong or missing, tell us and we will correct it. Section {n} "
                    "explains your rights and how to use them."
                ).format(n=self._number("art15")),
                s["body"],
            ),
        ]
        if _loses_characters(self._user_texts()):
            story.append(
                para(
                    _(
                        "Some characters, such as emoji, cannot be printed with the fonts of this document: "
                        "they are left out, or shown as \u201c\ufffd\u201d. Ask us for the machine-readable "
                        "copy of your data if you need them exactly."
                    ),
                    s["note"],
                )
            )
        story += [
            Spacer(1, 4 * mm),
            para(_("Kind regards,"), s["body"]),
            para(self.shop, s["body"]),
            Spacer(1, 8 * mm),
            para(
                _("Times are given in the shop's local time. Produced with {app} {version}.").format(
                    app=APP_NAME, version=__version__
                ),
                s["small"],
            ),
        ]
        return story

    def _identity(self) -> list[Any]:
        _ = self.t
        data, s = self.data, self.styles
        language = _language_name(data.preferred_language, self.locale) if data.preferred_language else _DASH
        rows = [
            (_("Name"), data.name),
            (_("Given name"), data.given_name or _DASH),
            (_("Family name"), data.family_name or _DASH),
            (_("Preferred language"), language),
            *self._birthday(),
            (_("Customer number"), str(data.contact_id)),
            *[(_("Customer number in {tool}").format(tool=source["name"]), source["id"]) for source in data.source_ids],
            (_("Record created"), self._when(data.created_at)),
            (_("Last changed"), self._when(data.updated_at)),
        ]
        story: list[Any] = [
            *self._h1("identity"),
            *self._h2("identity", 1, _("Identity")),
            self._table(None, [list(row) for row in rows], [0.3, 0.7]),
        ]
        story += self._h2("identity", 2, _("Contact details"))
        kinds = {"email": _("Email"), "phone": _("Phone"), "address": _("Address")}
        points = [
            [
                kinds.get(str(p["kind"]), str(p["kind"])),
                (str(p["label"] or "") + (" " + _("(main)") if p.get("primary") else "")).strip(),
                str(p["value"]),
            ]
            for p in data.contact_points
        ]
        story.append(
            self._table([_("Type"), _("Label"), _("Address or number")], points, [0.16, 0.24, 0.6])
            if points
            else self._none(_("We hold no email address, phone number or postal address."))
        )
        story += self._h2("identity", 3, _("Organisations and job titles"))
        organisations = [[str(o["name"]), str(o.get("job_title") or _DASH)] for o in data.organisations]
        story.append(
            self._table([_("Organisation"), _("Job title")], organisations, [0.55, 0.45])
            if organisations
            else self._none(_("None."))
        )
        story += self._h2("identity", 4, _("Tags"))
        story.append(para(", ".join(data.tags), s["body"]) if data.tags else self._none(_("None.")))
        return story

    def _deals(self) -> list[Any]:
        _ = self.t
        statuses = {"open": _("Open"), "won": _("Won"), "lost": _("Lost")}
        rows = []
        for deal in self.data.deals:
            value = money(int(deal["value_minor"]), str(deal["currency"]), self.language)
            close = self._day(deal.get("expected_close"))
            rows.append(
                [
                    str(deal["title"]),
                    statuses.get(str(deal["status"]), str(deal["status"])),
                    value,
                    close,
                    str(deal.get("lost_reason") or ""),
                ]
            )
        heads = [_("Title"), _("Status"), _("Value"), _("Expected close"), _("Reason lost")]
        story: list[Any] = [*self._h1("deals")]
        totals = self._totals()
        if totals:  # what the shop's own system counted, from an import
            story.append(self._table(None, [list(row) for row in totals], [0.3, 0.7]))
        if rows:
            story.append(self._table(heads, rows, [0.32, 0.1, 0.17, 0.16, 0.25], right=(2,)))
        elif not totals:
            story.append(self._none(_("We hold no deals or purchases for you.")))
        return story

    def _activities(self) -> list[Any]:
        _ = self.t
        kinds = {"call": _("Call"), "meeting": _("Meeting"), "email": _("Email"), "task": _("Task")}
        rows = [
            [
                kinds.get(str(a["kind"]), str(a["kind"])),
                str(a["subject"]),
                self._when(a.get("due_at")),
                self._when(a.get("done_at")),
            ]
            for a in self.data.activities
        ]
        heads = [_("Type"), _("Subject"), _("Due"), _("Done")]
        table = self._table(heads, rows, [0.12, 0.48, 0.2, 0.2]) if rows else None
        return [*self._h1("activities"), table or self._none(_("We hold no calls, meetings, emails or tasks for you."))]

    def _notes(self) -> list[Any]:
        _ = self.t
        s = self.styles
        story: list[Any] = [*self._h1("notes")]
        if not self.data.notes:
            return [*story, self._none(_("We hold no notes about you."))]
        for note in self.data.notes:
            story.append(para(self._when(note.get("created_at")), s["meta"]))
            story.append(para(str(note["text"]), s["body"]))
        return story

    def _consent(self) -> list[Any]:
        _ = self.t
        s, data = self.styles, self.data
        story: list[Any] = [*self._h1("consent"), *self._h2("consent", 1, _("Your choices now"))]
        consent_label = lawful_basis_label("consent", _)
        latest: dict[str, Any] = {}
        for record in data.consent_history:
            latest[record.purpose] = record
        rows = []
        for purpose in data.purposes:
            rows.append(
                [
                    purpose.name,
                    purpose.lawful_basis,
                    self._state(
                        purpose.key, purpose.granted, purpose.lawful_basis == consent_label, latest.get(purpose.key)
                    ),
                ]
            )
        story.append(
            self._table([_("Purpose"), _("Lawful basis"), _("State")], rows, [0.38, 0.27, 0.35])
            if rows
            else self._none(_("None."))
        )
        flags = data.privacy_flags
        if flags.get("processing_restricted"):
            story.append(
                self._none(
                    _(
                        "Processing of your data is restricted (GDPR Art. 18): we keep it, and use it "
                        "for nothing else until the restriction is lifted, which we tell you first."
                    )
                )
            )
        yes, no = _("Yes"), _("No")
        story += [
            *self._h2("consent", 2, _("California privacy choices (CCPA)")),
            self._table(
                None,
                [
                    [
                        _("Do not sell or share my personal information"),
                        yes if flags.get("opt_out_sale_sharing") else no,
                    ],
                    [
                        _("Limit the use of my sensitive personal information"),
                        yes if flags.get("limit_sensitive") else no,
                    ],
                ],
                [0.75, 0.25],
            ),
        ]
        story += self._h2("consent", 3, _("Full consent history"))
        names = {p.key: p.name for p in data.purposes}
        actions = {"grant": _("Given"), "withdraw": _("Withdrawn")}
        methods = {
            "form": _("Form"),
            "paper": _("Signed paper form"),
            "verbal": _("Told us in person or by phone"),
            "import": _("Imported from a list"),
        }
        history = []
        for record in data.consent_history:
            how = methods.get(record.method, record.method)
            if record.source:
                how += f" ({record.source})"
            shown = _DASH
            if record.notice_version is not None:
                shown = _("Version {version}, {language}").format(
                    version=record.notice_version, language=_language_name(record.notice_language, self.locale)
                )
            if record.notice_sha256:
                shown += "\nSHA-256: " + record.notice_sha256[:10] + "\u2026"
            history.append(
                [
                    self._when(record.at),
                    names.get(record.purpose, record.purpose),
                    actions.get(record.action, record.action),
                    how,
                    shown,
                    yes if record.has_evidence else no,
                ]
            )
        heads = [_("When"), _("Purpose"), _("Action"), _("How"), _("Notice"), _("Evidence")]
        story.append(
            self._table(heads, history, [0.2, 0.19, 0.11, 0.19, 0.21, 0.1])
            if history
            else self._none(_("You have never given or withdrawn consent with us."))
        )
        story.append(
            para(
                _(
                    "“Evidence” says whether we keep a signature or a scanned form for that event. The "
                    "notice is the text you were shown; its full text and fingerprint follow."
                ),
                s["note"],
            )
        )
        story += self._h2("consent", 4, _("The notice texts you agreed under"))
        if not data.notices:
            story.append(self._none(_("No notice text is linked to your consent records.")))
        for notice in data.notices:
            story.append(para(notice.title, s["h3"], "bold"))
            meta = _("Version {version} · {language}").format(
                version=notice.version, language=_language_name(notice.language, self.locale)
            )
            story.append(para(meta, s["meta"]))
            story.append(para("SHA-256: " + notice.sha256, s["mono"], "mono"))
            story += [para(text.strip(), s["body"]) for text in notice.body.split("\n\n") if text.strip()]
            story.append(Spacer(1, 3 * mm))
        return story

    def _state(self, key: str, granted: bool, by_consent: bool, last: Any) -> str:
        """The state of one purpose, worded in the person's language (the gathered reason is in the app's)."""
        _ = self.t
        if key == "sale_sharing" and self.data.privacy_flags.get("opt_out_sale_sharing") and not granted:
            return _("No: you opted out of sale or sharing")
        if not by_consent:
            return _("Applies on this lawful basis; you can object")
        if last is None:
            return _("No: never asked")
        when = self._day(last.at)
        if last.action == "withdraw":
            return _("No: withdrawn on {date}").format(date=when)
        if granted:
            return _("Yes: given on {date}").format(date=when)
        return _("No: expired (given on {date})").format(date=when)

    def _requests(self) -> list[Any]:
        _ = self.t
        types = {
            "access": _("Access"),
            "erasure": _("Erasure"),
            "rectification": _("Rectification"),
            "portability": _("Portability"),
            "restriction": _("Restriction"),
            "objection": _("Objection"),
            "opt_out": _("Opt-out of sale or sharing"),
            "know": _("Right to know"),
            "limit_sensitive": _("Limit use of sensitive data"),
        }
        statuses = {
            "received": _("Received"),
            "verifying": _("Checking identity"),
            "in_progress": _("In progress"),
            "open": _("Open"),
            "completed": _("Completed"),
            "done": _("Completed"),
            "closed": _("Closed"),
            "refused": _("Refused"),
            "rejected": _("Refused"),
            "extended": _("Extended"),
        }
        rows = [
            [
                str(r.get("id", "")),
                types.get(str(r.get("type")), str(r.get("type", "")).replace("_", " ")),
                self._day(r.get("received_at")),
                statuses.get(str(r.get("status")), str(r.get("status", "")).replace("_", " ")),
                self._day(r.get("completed_at")),
            ]
            for r in self.data.requests
        ]
        heads = [_("Number"), _("Request"), _("Received"), _("Status"), _("Completed")]
        return [*self._h1("requests"), self._table(heads, rows, [0.12, 0.3, 0.2, 0.18, 0.2])]

    def _art15(self) -> list[Any]:
        _ = self.t
        s, data, key = self.styles, self.data, "art15"
        story: list[Any] = [
            *self._h1(key),
            para(_("The information GDPR Article 15 requires, in plain words."), s["note"]),
        ]

        story += self._h2(key, 1, _("Why we use your data and on what legal basis"))
        rows = [
            [
                _("Looking after you as a customer: your orders, appointments and questions, and our records of them"),
                lawful_basis_label("contract", _) + "; " + lawful_basis_label("legitimate_interests", _),
            ]
        ]
        rows += [[p.name, p.lawful_basis] for p in data.purposes]
        story.append(self._table([_("Purpose"), _("Lawful basis")], rows, [0.6, 0.4]))
        story.append(
            para(
                _(
                    "Where the basis is consent, we use your data for that purpose only while your consent "
                    "stands (section {n})."
                ).format(n=self._number("consent")),
                s["note"],
            )
        )

        story += self._h2(key, 2, _("What kinds of data we hold"))
        story += [para("\u2022 " + line, s["bullet"]) for line in self._categories()]

        story += self._h2(key, 3, _("Who receives your data"))
        story.append(
            para(
                _(
                    "We keep your data on our own computer, encrypted. We do not sell it, and we do not give "
                    "it to anyone else unless the law requires us to (for example a tax authority or a "
                    "court)."
                ),
                s["body"],
            )
        )
        granted = {p.key: p for p in data.purposes if p.granted}
        if "sale_sharing" in granted:
            story.append(
                para(
                    _(
                        "You agreed to “{purpose}”, so we may share your data with the partners named in "
                        "the notice you agreed to (section {n})."
                    ).format(purpose=granted["sale_sharing"].name, n=self._number("consent")),
                    s["body"],
                )
            )
        else:
            story.append(
                para(
                    _("You have not agreed to sharing with partners, so we do not share your data with them."),
                    s["body"],
                )
            )
        if "cross_border" in granted:
            story.append(
                para(
                    _(
                        "You agreed to “{purpose}”: your data may be sent abroad as described in the "
                        "notice you agreed to."
                    ).format(purpose=granted["cross_border"].name),
                    s["body"],
                )
            )

        story += self._h2(key, 4, _("How long we keep your data"))
        story.append(
            para(
                _("We keep personal data only as long as we need it. Our computer applies these rules automatically:"),
                s["body"],
            )
        )
        actions = {"delete": _("deleted"), "anonymise": _("anonymised")}
        for policy in data.retention:
            category = _(CATEGORY_LABELS[policy.category]) if policy.category in CATEGORY_LABELS else policy.category
            line = _("{category}: {action} after {period}").format(
                category=category,
                action=actions.get(policy.action, policy.action),
                period=self._period(policy.period_days),
            )
            story.append(para("\u2022 " + line, s["bullet"]))
        if not data.retention:
            story.append(
                para(
                    _(
                        "We have set no automatic time limit; we delete your data when you ask us to or "
                        "when we no longer need it."
                    ),
                    s["body"],
                )
            )
        story.append(
            para(
                _(
                    "“Anonymised” means your name and contact details are removed, so what remains can no "
                    "longer be linked to you. A legal obligation or an open legal claim can make us keep "
                    "some data longer."
                ),
                s["note"],
            )
        )

        story += self._h2(key, 5, _("Where your data comes from"))
        imported = {r.source for r in data.consent_history if r.method == "import" and r.source}
        for source in data.sources:
            text = _("Imported from a list: {source}").format(source=source) if source in imported else source
            story.append(para("\u2022 " + text, s["bullet"]))

        story += self._h2(key, 6, _("Automated decisions"))
        story.append(
            para(
                _(
                    "We make no decisions about you by automated means alone, and no profiling that has "
                    "legal or similarly significant effects on you (GDPR Article 22)."
                ),
                s["body"],
            )
        )

        story += self._h2(key, 7, _("Your rights"))
        story += self._rights()

        story += self._h2(key, 8, _("How to complain"))
        story.append(
            para(
                _(
                    "If you are unhappy with how we handle your data, please tell us first so we can put it "
                    "right. You also have the right to complain to a data protection supervisory "
                    "authority, in particular where you live, where you work or where you think the law "
                    "was broken. For example:"
                ),
                s["body_keep"],
            )
        )
        rows = []
        for name, territory, website in _AUTHORITIES:
            where = self.locale.territories.get(territory, territory) if territory else _("California (USA)")
            if territory == "DE":
                name = _("BfDI (federal) or the data protection authority of your federal state (Land)")
            rows.append([name, where, website])
        story.append(self._table([_("Authority"), _("Where"), _("Website")], rows, [0.55, 0.2, 0.25]))
        return story

    def _birthday(self) -> list[tuple[str, str]]:
        _ = self.t
        born = self.data.birth_date
        return [(_("Birthday"), format_date(date.fromisoformat(born), "long", locale=self.locale))] if born else []

    def _totals(self) -> list[tuple[str, str]]:
        """The shop's totals an import kept, where there are any (#16): shown with the deals and purchases."""
        _ = self.t
        data, rows = self.data, []
        bought = data.purchases
        if bought.get("total_spent") is not None:
            amount = amount_text(Decimal(str(bought["total_spent"])), bought.get("currency"), data.language)
            rows.append((_("Total spent"), amount))
        if bought.get("order_count") is not None:
            rows.append((_("Number of orders"), str(bought["order_count"])))
        return rows

    def _categories(self) -> list[str]:
        _ = self.t
        data = self.data
        lines = [
            _("Identity: your name")
            + (", " + _("your preferred language") if data.preferred_language else "")
            + (", " + _("the customer numbers other tools gave you") if data.source_ids else "")
        ]
        kinds = {str(p["kind"]) for p in data.contact_points}
        labels = [
            label
            for kind, label in (
                ("email", _("email addresses")),
                ("phone", _("phone numbers")),
                ("address", _("postal addresses")),
            )
            if kind in kinds
        ]
        if labels:
            lines.append(_("Contact details: {kinds}").format(kinds=format_list(labels, locale=self.locale)))
        if data.organisations:
            lines.append(_("Work: the organisations you are linked to and your job title"))
        if data.tags:
            lines.append(_("Labels (tags) we gave your record"))
        if data.deals:
            lines.append(_("Purchase history: deals, their value and outcome"))
        if data.activities:
            lines.append(_("Our contacts with you: calls, meetings, emails and tasks"))
        if data.notes:
            lines.append(_("Notes we wrote about our dealings with you"))
        if data.consent_history or any(data.privacy_flags.values()):
            lines.append(
                _("Consent records: what you agreed to or withdrew, when and how, and the notice text you saw")
            )
        if data.requests:
            lines.append(_("Your privacy requests and how we handled them"))
        lines.append(_("Record dates: when your record was created and last changed"))
        return lines

    def _rights(self) -> list[Any]:
        _ = self.t
        s = self.styles
        groups = [
            (
                _("Under the GDPR and UK GDPR you have the right to:"),
                [
                    _("Access: get a copy of your data, like this one."),
                    _("Rectification: have wrong or incomplete data corrected."),
                    _("Erasure: have your data deleted (the “right to be forgotten”)."),
                    _(
                        "Restriction: have us keep your data but stop using it, for example while a correction is "
                        "checked."
                    ),
                    _(
                        "Objection: object to our use of your data based on legitimate interests, and to direct "
                        "marketing at any time."
                    ),
                    _(
                        "Portability: get the data you gave us in a machine-readable file, or have it sent to someone "
                        "else."
                    ),
                    _(
                        "Withdraw consent at any time, as easily as you gave it; this does not affect what we did "
                        "before."
                    ),
                ],
            ),
            (
                _("If you live in California (CCPA/CPRA), you have the right to:"),
                [
                    _("Know what personal information we collect, use and disclose."),
                    _("Delete personal information we collected from you."),
                    _("Correct inaccurate personal information."),
                    _("Opt out of the sale or sharing of your personal information."),
                    _("Limit the use and disclosure of your sensitive personal information."),
                    _("Not be discriminated against for using any of these rights."),
                ],
            ),
            (
                _("If you are in mainland China (PIPL), you have the right to:"),
                [
                    _("Know and decide how your personal information is handled, and restrict or refuse it."),
                    _("Consult and copy your personal information."),
                    _("Have your personal information transferred to another handler you choose."),
                    _("Correct and complete your personal information."),
                    _("Have your personal information deleted."),
                    _("Ask us to explain our rules for handling personal information."),
                    _("Withdraw your consent."),
                ],
            ),
        ]
        story: list[Any] = []
        for intro, rights in groups:
            story.append(para(intro, s["body_bold"], "bold"))
            story += [para("\u2022 " + right, s["bullet"]) for right in rights]
        story.append(
            para(
                _(
                    "To use any of these rights, ask us in person, by phone or by email. It is free. We answer "
                    "without undue delay, and at the latest within the time the law sets (one month under "
                    "the GDPR, 45 days under the CCPA)."
                ),
                s["body"],
            )
        )
        return story

    # --- building blocks -------------------------------------------------------------------------------------

    def _none(self, text: str) -> Paragraph:
        return para(text, self.styles["note"])

    def _table(
        self,
        heads: Sequence[str] | None,
        rows: list[list[str]],
        fractions: Sequence[float],
        *,
        right: Iterable[int] = (),
        mono: Iterable[int] = (),
    ) -> Rows:
        """A full-width table with a header row that repeats on every page it runs to."""
        widths = [_WIDTH * f for f in fractions]
        mono = frozenset(mono)
        head = (
            None
            if heads is None
            else [self._cell(text, width, "bold") for text, width in zip(heads, widths, strict=True)]
        )
        body = [
            [
                self._cell(text, width, "mono" if index in mono else "body", index in right)
                for index, (text, width) in enumerate(zip(row, widths, strict=True))
            ]
            for row in rows
        ]
        return Rows(head, body, widths, frozenset(right), self.draft)

    def _cell(self, text: str, width: float, role: str, align_right: bool = False) -> Line | Paragraph:
        """One line drawn directly when the text fits (fast), else a wrapping Paragraph."""
        room = width - 2 * CELL_PAD
        base = _ROLE_FONTS[role]
        text = unicodedata.normalize("NFC", text)
        if "\n" not in text and self.charsets[base].issuperset(text):
            runs: list[tuple[str, str]] | None = [(base, text)] if text else []
        else:
            runs = runs_of(rich_text(text, role), base)
        if runs is not None:
            line = Line(tuple(runs), sum(self._width(run, font) for font, run in runs))
            if line.width <= room:
                return line
        style = self.styles[
            "cell_head"
            if role == "bold"
            else "cell_right"
            if align_right
            else "cell_mono"
            if role == "mono"
            else "cell"
        ]
        return para(text, style, role)

    def _width(self, text: str, font: str) -> float:
        """pdfmetrics.stringWidth at the cell size, summed in C rather than in reportlab's Python loop (which
        is what runs unless the optional rl_accel package is installed): 4,000 cells add up."""
        advances = self.advances.get(font)
        if advances is None:
            face = pdfmetrics.getFont(font).face
            advances = self.advances[font] = (
                {chr(code): width for code, width in face.charWidths.items()},
                float(face.defaultWidth),
            )
        table, default = advances
        return 0.001 * CELL_SIZE * sum(map(table.get, text, repeat(default)))

    def _when(self, value: Any) -> str:
        """A stored UTC time as the shop's local date and time, in the person's language ("—" when unset)."""
        moment_ = local_time(value)
        if moment_ is None:
            return str(value) if value else _DASH
        on, at = moment_.date(), time(moment_.hour, moment_.minute)
        if on not in self.dates:
            self.dates[on] = str(format_date(on, "medium", locale=self.locale))
        if at not in self.times:
            self.times[at] = str(format_time(at, "short", locale=self.locale))
        return self.moment_pattern.replace("{1}", self.dates[on]).replace("{0}", self.times[at])

    def _day(self, value: Any) -> str:
        if not value:
            return _DASH
        try:
            parsed = date.fromisoformat(str(value)) if len(str(value)) == 10 else None
        except ValueError:
            parsed = None
        local = parsed or (moment_.date() if (moment_ := local_time(value)) else None)
        return day(local, self.language) if local else str(value)

    def _period(self, days: int) -> str:
        amount, unit = (days // 365, "duration-year") if days and days % 365 == 0 else (days, "duration-day")
        for length in ("long", "short"):
            text = str(format_unit(amount, unit, length=length, locale=self.locale))
            if "duration" not in text:  # babel has no long unit names for some languages (Chinese)
                return text
        _ = self.t
        return _("{n} days").format(n=days)

    def _user_texts(self) -> Iterable[str]:
        data = self.data
        yield from (data.name, data.given_name, data.family_name, *data.tags)
        yield from (str(p["value"]) + str(p["label"] or "") for p in data.contact_points)
        yield from (str(o["name"]) + str(o.get("job_title") or "") for o in data.organisations)
        yield from (str(n["text"]) for n in data.notes)
        yield from (str(a["subject"]) for a in data.activities)
        yield from (str(d["title"]) + str(d.get("lost_reason") or "") for d in data.deals)


# --- helpers --------------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=BODY_FONT, fontSize=10, leading=14, spaceAfter=4)
    h1 = ParagraphStyle("h1", parent=body, fontName=BOLD_FONT, fontSize=14, leading=18, spaceBefore=8, spaceAfter=5)
    h2 = ParagraphStyle("h2", parent=body, fontName=BOLD_FONT, fontSize=11, leading=14, spaceBefore=6, spaceAfter=3)
    bullet = pdfmetrics.stringWidth("\u2022 ", BODY_FONT, 10)  # wrapped lines align with the text, not the dot
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10.5, textColor=GREY)
    cell = ParagraphStyle("cell", fontName=BODY_FONT, fontSize=CELL_SIZE, leading=CELL_LEADING)
    return {
        "body": body,
        "body_keep": ParagraphStyle("body_keep", parent=body, keepWithNext=1),  # an introduction to a table
        "body_bold": ParagraphStyle("body_bold", parent=body, fontName=BOLD_FONT, spaceBefore=3, spaceAfter=2),
        "bullet": ParagraphStyle(
            "bullet", parent=body, leftIndent=2 * mm + bullet, firstLineIndent=-bullet, spaceAfter=2
        ),
        "title": ParagraphStyle("title", parent=body, fontName=BOLD_FONT, fontSize=18, leading=23),
        "h1": h1,
        "h2": h2,
        "h1_keep": ParagraphStyle("h1_keep", parent=h1, keepWithNext=1),
        "h2_keep": ParagraphStyle("h2_keep", parent=h2, keepWithNext=1),
        "h3": ParagraphStyle(
            "h3",
            parent=body,
            fontName=BOLD_FONT,
            fontSize=10.5,
            leading=14,
            spaceBefore=4,
            spaceAfter=1,
            keepWithNext=1,
        ),
        "meta": ParagraphStyle("meta", parent=small, spaceBefore=4, spaceAfter=1, keepWithNext=1),
        "mono": ParagraphStyle("mono", parent=small, fontName=MONO_FONT, fontSize=7.5, spaceAfter=3),
        "note": ParagraphStyle("note", parent=small, fontSize=8.5, leading=11.5, spaceBefore=2, spaceAfter=4),
        "small": small,
        "cell": cell,
        "cell_right": ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        "cell_head": ParagraphStyle("cell_head", parent=cell, fontName=BOLD_FONT),
        "cell_mono": ParagraphStyle("cell_mono", parent=cell, fontName=MONO_FONT),
        "page": ParagraphStyle("page", fontName=BODY_FONT, fontSize=8, leading=10, textColor=GREY),
        "page_right": ParagraphStyle(
            "page_right", fontName=BODY_FONT, fontSize=8, leading=10, textColor=GREY, alignment=TA_RIGHT
        ),
    }


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError, TypeError):
        return babel_locale("en")


def _language_name(code: str | None, locale: Locale) -> str:
    if not code:
        return _DASH
    try:
        name = Locale.parse(code).get_display_name(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return str(name) if name else code


def _loses_characters(texts: Iterable[str]) -> bool:
    """True when some text has characters the bundled fonts cannot print (rich_text drops an emoji newer than
    the bundled emoji face and shows letters of scripts without a bundled font as U+FFFD), so the cover letter
    can say so."""
    for text in texts:
        if text.isascii():
            continue
        symbols = {ch for ch in text if unicodedata.category(ch) in ("So", "Sk", "Co", "Cn")}
        markup = rich_text(text)
        if any(ch not in markup for ch in symbols) or ("\ufffd" in markup and "\ufffd" not in text):
            return True
    return False
