"""The after-show report printed and rendered.

:func:`report_text` prints a :class:`~control_room.report.Report` for a terminal;
:func:`report_html` renders ``web/templates/report.html`` (Jinja2, autoescape on) into one
self-contained page: its CSS inline (``web/static/report.css``), its chart an inline SVG,
nothing fetched. :func:`report_csp` lets exactly that CSS run when the server serves the page
(``GET /report``).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import jinja2
from markupsafe import Markup

from control_room.report import Report

__all__ = ["report_csp", "report_html", "report_text"]

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
_CSS_PATH = WEB_DIR / "static" / "report.css"


def report_text(report: Report) -> str:
    """The report for a terminal: one block per channel, then the interventions."""
    out = [
        f"{report.title} — {report.date} ({report.timezone})",
        f"Bilan arrêté à {report.until}; programme {report.version}",
        "",
    ]
    for ch in report.channels:
        out.append(f"== {ch.title} ({ch.id})")
        out.append(f"   {'':40} {'Prévu':<19} {'Réel':<19} {'Écart fin':>10}  statut")
        for line in ch.lines:
            title = ("  " if line.level == "segment" else "    · ") + line.title
            title = title if len(title) <= 40 else title[:39] + "…"
            out.append(
                f"   {title:<40} {line.planned:<19} {line.actual:<19} {line.overrun:>10}  "
                f"{line.status_fr}" + (f" — {line.note}" if line.note else "")
            )
        if ch.overruns:
            out.append("   Dépassements — " + "; ".join(ch.overruns))
        out.append(
            f"   Commutations vidéo — {ch.switches_ok} réussie(s), {ch.switches_failed} échec(s)"
        )
        out.append("")
    out.append(f"== Interventions de la régie ({len(report.interventions)})")
    for i in report.interventions:
        out.append(f"   {i.at}  {i.who:<12} {i.kind:<18} {i.text}")
    if report.switch_failures:
        out.append("")
        out.append(f"== Échecs de commutation ({len(report.switch_failures)})")
        for f in report.switch_failures:
            out.append(f"   {f.at}  {f.channel:<12} {f.scene} — {f.result} {f.comment}")
    if report.feeds:
        out.append("")
        out.append(f"== Flux des sites ({len(report.feeds)} perte(s))")
        out.append(
            f"   {'perdu':<19} {'revenu':<19} {'canal':<12} {'site':<16} {'durée':<12} réaction"
        )
        for loss in report.feeds:
            lost = f"{loss.lost_wall} ({loss.lost_show})"
            back = f"{loss.back_wall} ({loss.back_show})" if loss.back_wall != "—" else "—"
            out.append(
                f"   {lost:<19} {back:<19} {loss.channel:<12} {loss.site:<16} "
                f"{loss.duration:<12} {loss.reaction}"
            )
        out.append("   (heure murale, heure du programme entre parenthèses)")
    out.append("")
    out.append(f"== Écrans connectés ({len(report.presence)} relevés)")
    for p in report.presence:
        per = ", ".join(f"{cid} {n}" for cid, n in p.per_channel)
        out.append(f"   {p.at}  {per}")
    return "\n".join(out) + "\n"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(WEB_DIR / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def _css() -> str:
    return _CSS_PATH.read_text(encoding="utf-8")


def _csp(css: str) -> str:
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def report_csp() -> str:
    """The Content-Security-Policy of the served report: its one inline stylesheet, no more."""
    return _csp(_css())


def report_html(report: Report) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG, nothing fetched)."""
    css = _css()
    template = _environment().get_template("report.html")
    return template.render(report=report, css=Markup(css))
