"""A return whose user text carries Markdown, HTML and link payloads, for the browser tests.

The pages must show every one of these as typed: never a link, never bold, italic or a heading.
The workbook uses our own template's column headings (:mod:`lib.returns.headers`), one action of the
seeded current programme's plan FSIAP-2017 (red, overdue, answering recommendation 1, so it reaches the
overview's attention list, the "Red and amber actions" board step and recommendation 1's step) and one
KPI (red, far off its target, so it reaches "KPIs off target"). Every text is a string cell: the
``=HYPERLINK`` commentary is what a user typed, not a formula.
"""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter

from lib.read import programme
from lib.returns.headers import TEMPLATE_ACTION_COLUMNS, TEMPLATE_KPI_COLUMNS

EVIL_HOST = "evil.example"
PLAN = "FSIAP-2017"  # a plan of the seeded current programme
ACTION_REF = "9.99"
ACTION_TITLE = "**Bold title** [click](http://evil.example)"
LEAD_OFFICER = "_Ann_ <b>Smith</b>"
HYPERLINK = '=HYPERLINK("http://evil.example","click")'
WWW = "see www.evil.example"
ACTION_COMMENTARY = f"{HYPERLINK} and {WWW} <a href=\"http://evil.example\">here</a>"
ACTION_DESCRIPTION = "## heading in the description [more](http://evil.example/more) ![x](http://evil.example/x.png)"
KPI_REF = "EVIL-1"
KPI_NAME = "# heading KPI **Bold title**"
KPI_COMMENTARY = f"{HYPERLINK} {WWW} *emphasis*"
FILENAME = "**Bold title** [click](www.evil.example) return.xlsx"
MONTH = dt.date(2019, 6, 1)  # the seeded data's own latest month, so the as-at date does not move

# Words that must never be inside <strong>/<b>/<em>/<i>/<h1..h6> (payloads rendered as formatting).
PAYLOAD_WORDS = ("Bold title", "Ann", "Smith", "heading")
# The same payloads as typed: a heading may carry these (the action's and the KPI's own headers do).
HEADING_LITERALS = ("**Bold title**", "_Ann_ Smith", "_Ann_", "## heading", "# heading")
# Literal text the action's detail view must show exactly as typed. The importer drops HTML tags from
# user text ("_Ann_ <b>Smith</b>" is stored as "_Ann_ Smith"; the <a> in the commentary leaves "here").
ACTION_LITERALS = ("**Bold title** [click](http://evil.example)", "_Ann_ Smith", HYPERLINK, WWW)
KPI_LITERALS = (KPI_NAME,)

ACTION_KEY = programme.action_key(PLAN, ACTION_REF)


def payload_return(variant: int = 1) -> bytes:
    """The monthly return: an Actions sheet and a KPIs sheet, headings as in our template. ``variant`` 2 is
    another file (a new action 9.98 and KPI EVIL-2), for a preview on a database that has the first."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    month_fmt = book.add_format({"num_format": "mmm yyyy"})
    date_fmt = book.add_format({"num_format": "d mmm yyyy"})

    action = {
        "Plan": PLAN, "Action ID": ACTION_REF if variant == 1 else "9.98", "Recommendation(s)": "1", "Objective": None,
        "Action title": ACTION_TITLE, "Action description": ACTION_DESCRIPTION, "Lead officer": LEAD_OFFICER,
        "Due date": dt.date(2019, 3, 31), "Month": MONTH, "Status": "Delayed", "RAG": "Red",
        "Progress update": ACTION_COMMENTARY, "Reported by": LEAD_OFFICER,
    }
    kpi = {
        "Ref": KPI_REF if variant == 1 else "EVIL-2", "KPI": KPI_NAME, "Theme": "Family Services", "Unit": "%",
        "Polarity": "Higher is better",
        "Period": MONTH, "Value": 10, "Target": 90, "RAG": "Red", "Commentary": KPI_COMMENTARY,
    }
    for name, columns, row in (("Actions", TEMPLATE_ACTION_COLUMNS, action), ("KPIs", TEMPLATE_KPI_COLUMNS, kpi)):
        ws = book.add_worksheet(name)
        for c, heading in enumerate(columns):
            ws.write_string(0, c, heading)
            value = row.get(heading)
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(1, c, dt.datetime.combine(value, dt.time()),
                                  month_fmt if heading in ("Month", "Period") else date_fmt)
            elif isinstance(value, int | float):
                ws.write_number(1, c, value)
            else:
                ws.write_string(1, c, value)
    book.close()
    return buffer.getvalue()
