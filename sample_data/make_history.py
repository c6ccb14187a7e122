"""Write the ILLUSTRATIVE monthly history that the sample opens with.

Run from the project root:  python sample_data/make_history.py

Reads sample_data/plans.yaml and sample_data/kpis.yaml and writes
  sample_data/history/action_updates.csv  (plan, action_ref, period_end, status, rag, commentary, reported_by)
  sample_data/history/kpi_monthly.csv     (ref, authority, month, value, target, commentary)

Nothing written here is real. The story is invented but kept consistent with the seed papers: Barnet's
2017 plan runs from August 2017, Ofsted monitoring visits follow, the authority is re-inspected in May 2019
(S4:21). The output is deterministic (fixed random seed, fixed iteration order), so re-running reproduces the
committed CSVs byte for byte. Standard library only, apart from PyYAML to read the plan and KPI files.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "history"
SEED = 20170718  # the CELS Committee date of the 2017 plan (S1:3)
AUTHORITY = "302"

Month = tuple[int, int]


def ym(text: str) -> Month:
    year, month = text.split("-")
    return int(year), int(month)


def month_range(first: str, last: str) -> list[Month]:
    y, m = ym(first)
    end = ym(last)
    out: list[Month] = []
    while (y, m) <= end:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_end(month: Month) -> dt.date:
    return dt.date(month[0], month[1], calendar.monthrange(*month)[1])


def label(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def months_after(due: dt.date, month: Month) -> int:
    """Whole months between the due date's month and ``month`` (0 when not yet overdue)."""
    if month_end(month) <= due:
        return 0
    return max(1, (month[0] - due.year) * 12 + month[1] - due.month)


# --------------------------------------------------------------------------------------------------------
# Action stories
# --------------------------------------------------------------------------------------------------------
LEVELS = ("green", "green_amber", "amber", "red_amber", "red")

RAG_STYLES: dict[str, dict[str, str]] = {
    "title": {
        "green": "Green",
        "green_amber": "Green Amber",
        "amber": "Amber",
        "red_amber": "Red Amber",
        "red": "Red",
    },
    "short": {
        "green": "G",
        "green_amber": "Green Amber",
        "amber": "AMBER",
        "red_amber": "Red Amber",
        "red": "RED",
    },
}


@dataclass(frozen=True)
class Story:
    """How one action's monthly updates unfold.

    done: month of the "Complete" row (None: still open in the last month).
    signoff: months reported "Complete - awaiting sign-off" just before ``done`` (or, for an open action,
        the number of final months spent awaiting sign-off).
    start: first month in progress; earlier months are "Not started".
    hard: 0-3, how red the early months are; the RAG settles towards green by ``settle``.
    overdue: RAG level while past the due date (None: worsens with every month overdue).
    overdue_status: status word while overdue (default "Delayed").
    tail: month -> RAG level overrides (the latest-month changes).
    statuses: month -> status word overrides.
    notes: month -> the lead officer's own commentary; other months get a routine line.
    """

    done: str | None
    signoff: int = 1
    start: str | None = None
    hard: int = 1
    settle: str = "2018-02"
    overdue: str | None = None
    overdue_status: str = "Delayed"
    tail: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


FS = "FSIAP-2017"
LSCB = "BSCB-IP-2017"
SLAC = "SLAC-AP-2012"

STORIES: dict[tuple[str, str], Story] = {
    (FS, "1.01"): Story(
        "2018-03",
        hard=1,
        settle="2017-12",
        notes={
            "2017-08": "Thresholds document relaunched at the partnership event on 3 August and sent to "
            "schools, GPs, police and health providers. Police referrals are already quoting the "
            "levels.",
            "2017-10": "Threshold briefings delivered to 14 of 20 primary heads' clusters; health visitors "
            "and school nurses still to be covered.",
            "2017-12": "MASH audit of 40 contacts: 31 at the right threshold level (78%). Targeted sessions "
            "booked with the two GP practices with most inappropriate contacts.",
            "2018-02": "Repeat audit shows 88% of contacts at the right level. Evidence pack (audit, "
            "attendance lists, partner survey) sent for sign-off.",
            "2018-03": "Signed off at SWIB. Ongoing threshold checking moves to the LSCB thresholds "
            "evaluation programme (LSCB plan, OR 2).",
        },
    ),
    (FS, "1.02"): Story(
        "2018-07",
        hard=3,
        settle="2018-02",
        notes={
            "2017-08": "MASH Steering Group met with police, health and education all represented. Daily "
            "MASH meetings in place since June.",
            "2017-09": "Health attendance at the daily MASH meeting fell to 3 days in 5 while the CCG "
            "recruits to the MASH nurse post. Escalated to the Designated Nurse.",
            "2017-11": "Ofsted's monitoring visit looked at the front door this month. Feedback: "
            "information sharing is improving but the timeliness of partner checks is "
            "inconsistent.",
            "2018-01": "First quarterly MASH performance report taken to SMT (contacts, conversion rate, "
            "timeliness of RAG decisions).",
            "2018-05": "Monthly multi-agency QA of MASH decisions started in March; two cycles done. One "
            "month behind because police data arrived late.",
            "2018-06": "Three months of multi-agency QA evidence collated and partners now challenge the "
            "MASH scorecard at the steering group. Submitted for sign-off.",
            "2018-07": "Signed off. MASH data stays in the monthly DU Assurance Report.",
        },
    ),
    (FS, "1.03"): Story(
        "2018-11",
        signoff=2,
        hard=3,
        settle="2018-04",
        notes={
            "2017-08": "Review of all open CIN and CP plans started: every case allocated to a team manager "
            "for review by the end of October.",
            "2017-09": "Slower than planned: 38% of CIN reviews done. Deputy managers released from duty "
            "for two weeks to clear the backlog.",
            "2017-10": "CIN audit found 11 cases needing escalation; 6 moved to child protection after "
            "strategy discussions. Graded Care Profile training continues across the partnership.",
            "2017-12": "All open plans reviewed. Spot check of 30 plans: 19 now SMART with a recorded "
            "contingency plan; the other 11 go back to team managers in January.",
            "2018-03": "Chronologies and genograms on 71% of open case files (target 100% by July).",
            "2018-06": "Chronologies and genograms at 89%. Children's views recorded in 84% of plans "
            "audited in May.",
            "2018-08": "Children's views evident in 92% of audited plans, but chronology completion is "
            "stuck at 93% in the 0-25 service. Short extension agreed with the Operational "
            "Director.",
            "2018-09": "All elements evidenced; the joint council/LSCB audit confirms children's views in "
            "records. Evidence submitted for sign-off.",
            "2018-10": "Sign-off deferred to the November SWIB (October meeting moved).",
            "2018-11": "Signed off at SWIB. Monitored from now on through the monthly audit programme.",
        },
    ),
    (FS, "1.04"): Story(
        "2018-09",
        hard=3,
        settle="2018-03",
        overdue="amber",
        notes={
            "2017-08": "Danger statement template added to LCS and explained at the Team Managers meeting.",
            "2017-10": "Danger statements on 54% of CP files. Visits within timescale: 81% for children in "
            "care, 85% for child protection.",
            "2018-01": "CP visits within timescale at 87%, but review timeliness dipped over Christmas.",
            "2018-05": "100% compliance not reached: CP visits at 90%, children in care at 88%. Revised "
            "date of August agreed with the Operational Director.",
            "2018-07": "Joint council and LSCB QA shows visits and reviews are led by need and risk; danger "
            "statements on 97% of files.",
            "2018-08": "Evidence submitted. The remaining gap is visits to children placed more than 20 "
            "miles away.",
            "2018-09": "Signed off; visit timeliness remains a monthly DU KPI.",
        },
    ),
    (FS, "1.05"): Story(
        "2018-02",
        hard=1,
        settle="2017-11",
        notes={
            "2017-09": "QA Manager reviewed 25 recently closed CP cases: 4 closed too early and all 4 "
            "reopened for assessment.",
            "2017-11": "Supervision audit of 60 files: frequency compliant in 82%, quality good in only "
            "45%. Full report to SMT on 14 November.",
            "2018-01": "Operational Director dip-sampled 12 CP cases in December and January; findings fed "
            "into manager development. Evidence submitted for sign-off.",
            "2018-02": "Signed off. Quarterly dip sampling continues as business as usual.",
        },
    ),
    (FS, "1.06"): Story(
        "2018-12",
        hard=2,
        settle="2018-03",
        notes={
            "2017-08": "Strategy discussion template revised to record which agencies contributed and the "
            "rationale for decisions.",
            "2017-10": "Police take part in 94% of strategy discussions but health in only 61%. Raised at "
            "the LSCB Executive Group.",
            "2018-02": "Health participation up to 78% since the named-nurse rota for strategy meetings "
            "started.",
            "2018-06": "Partners contribute to assessments in most cases sampled. Joint QA with the LSCB "
            "booked for July.",
            "2018-08": "Joint audit moved to September because the LSCB analyst post is vacant.",
            "2018-10": "Joint audit done: good multi-agency participation in 24 of 30 cases. Actions agreed "
            "with education on attendance.",
            "2018-11": "Evidence submitted for sign-off.",
            "2018-12": "Signed off at SWIB.",
        },
    ),
    (FS, "1.07"): Story(
        "2018-01",
        hard=1,
        settle="2017-10",
        notes={
            "2017-08": "Draft management oversight expectations out to Heads of Service for comment.",
            "2017-09": "Expectations agreed and written into the supervision policy. Management briefing "
            "held on 21 September (42 managers).",
            "2017-11": "Supervision audit: actions now tracked between sessions in 70% of files sampled.",
            "2017-12": "Management oversight recorded on 86% of case files audited in November. Submitted "
            "for sign-off.",
            "2018-01": "Signed off; supervision quality is now part of the monthly audit tool.",
        },
    ),
    (FS, "1.08"): Story(
        None,
        signoff=0,
        hard=3,
        settle="2018-04",
        overdue="red_amber",
        tail={"2019-06": "red"},
        notes={
            "2017-08": "Return home interviews are now a standing item in the DU Assurance Report; offer "
            "rate 61% in July.",
            "2017-10": "Group supervision on missing episodes running in the CiC teams. Out-of-area "
            "interviews still go to the commissioned provider, with long delays.",
            "2018-01": "LSCB adolescent risk group launched. Interviews offered in 70% of episodes; "
            "outcomes on LCS within 72 hours in 58% of cases.",
            "2018-05": "Offer rate 76%. REACH effectiveness analysis commissioned from the Insight team.",
            "2018-08": "REACH analysis late: the CSE/gangs tracker does not match LCS. Out-of-area interview "
            "completion still below 60%.",
            "2018-12": "REACH analysis presented to SMT. Out-of-area interviews are the one outstanding "
            "element; the provider contract is being re-procured.",
            "2019-03": "New out-of-area contract delayed to May. In-borough interviews offered in 88% of "
            "episodes.",
            "2019-05": "Inspectors looked at missing children during this month's inspection and flagged the "
            "timeliness of out-of-area interviews.",
            "2019-06": "Preferred provider withdrew from the contract, so out-of-area interviews have no "
            "provider from July. Interim cover from REACH staff being arranged; escalated to the "
            "DCS.",
        },
    ),
    (FS, "1.09"): Story(
        "2018-03",
        hard=2,
        settle="2018-01",
        notes={
            "2017-08": "PLO analysis under way: 34 children in pre-proceedings, 9 of them beyond 16 weeks.",
            "2017-10": "Action plan agreed for the 9 drifting cases; 5 have since issued. Permanency Court "
            "tracker built in Excel until the LCS report is ready.",
            "2018-01": "First quarterly Permanency Court data to SMT on 16 January; average care "
            "proceedings 28 weeks.",
            "2018-02": "Second quarterly report due in April. Evidence submitted for sign-off.",
            "2018-03": "Signed off. Tracker reporting to SMT continues quarterly.",
        },
    ),
    (FS, "1.10"): Story(
        "2018-08",
        signoff=0,
        hard=2,
        settle="2018-03",
        notes={
            "2017-08": "Analysis of unregulated connected carer placements done; 7 placements past 16 weeks "
            "without a full assessment now allocated to assessors.",
            "2017-11": "Viability assessment pathway agreed across DAT, I&P and fostering. Connected carer "
            "placements now on the Placement Dashboard.",
            "2018-02": "All new connected carer placements since November assessed within regulatory "
            "timescales; two older cases on agreed extensions.",
            "2018-07": "Thematic audit of connected person placements booked for August.",
            "2018-08": "Thematic audit done (20 placements, 17 good or better). Closed; the annual audit is "
            "in the QA calendar.",
        },
    ),
    (FS, "1.11"): Story(
        "2018-05",
        hard=2,
        settle="2017-12",
        notes={
            "2017-09": "Private fostering assessment template revised to cover risk and quality of care; 16 "
            "arrangements known.",
            "2017-11": "Publicity campaign planned with the LSCB; leaflet drafted for schools, GPs and "
            "faith groups.",
            "2018-01": "Awareness events slipped: the LSCB campaign now launches in February with the new "
            "website.",
            "2018-02": "Two of four awareness events delivered; notifications up from 1 to 4 this quarter.",
            "2018-04": "All events delivered. Audit of private fostering files: 15 of 16 meet minimum "
            "standards. Submitted for sign-off.",
            "2018-05": "Signed off.",
        },
    ),
    (FS, "1.12"): Story(
        None,
        signoff=2,
        hard=1,
        settle="2017-12",
        overdue="green_amber",
        notes={
            "2017-08": "Refreshed 16/17 homelessness protocol in place with Housing Options; joint "
            "assessment form live on LCS.",
            "2017-12": "Joint council/LSCB audit of all 23 youth homeless cases planned for January.",
            "2018-02": "Audit done: joint assessments in 19 of 23 cases; accommodation under s20 offered and "
            "explained in every case.",
            "2018-05": "Insight analysis of the cohort done: most young people present in crisis after "
            "family breakdown, so the mediation offer has been strengthened.",
            "2018-09": "Feedback from young people not yet gathered: survey postponed while the youth "
            "participation post is vacant.",
            "2019-01": "Survey relaunched with #BOP peer researchers; 11 responses so far.",
            "2019-05": "22 young people responded and 18 rated the service good or very good. Evidence pack "
            "submitted for sign-off.",
            "2019-06": "Awaiting sign-off at the July SWIB.",
        },
    ),
    (FS, "1.13"): Story(
        "2018-01",
        hard=1,
        settle="2017-11",
        notes={
            "2017-09": "Independent audit of 40 LAC reviews commissioned from the improvement partner.",
            "2017-11": "Audit reported: reviews are timely but IRO challenge is recorded in only a third of "
            "cases. IRO escalation procedure refreshed.",
            "2017-12": "Operational Director dip-sampled 10 LAC cases; the IRO footprint is visible in 8. "
            "Submitted for sign-off.",
            "2018-01": "Signed off.",
        },
    ),
    (FS, "1.14"): Story(
        "2018-03",
        hard=1,
        settle="2017-11",
        notes={
            "2017-08": "Revised Practice Alert policy issued; CP chairs and IROs briefed.",
            "2017-10": "47 practice alerts raised in September; 81% answered within 5 working days.",
            "2018-01": "Practice alert analysis now in the Weekly Performance Report. Themes (drift in CIN "
            "plans, missing chronologies) fed into the training strategy.",
            "2018-02": "IRO/CP manager now meets Heads of Service monthly. Evidence submitted.",
            "2018-03": "Signed off.",
        },
    ),
    (FS, "1.15"): Story(
        "2018-07",
        hard=1,
        settle="2017-12",
        overdue="amber",
        notes={
            "2017-08": "Baseline from the July audits: 18% good, 49% requires improvement, 33% inadequate.",
            "2017-11": "Live auditing (practice observations) running in DAT and I&P; CiC to follow.",
            "2018-02": "Partnership roll-out of the QA framework is waiting for the LSCB QA analyst, not yet "
            "appointed.",
            "2018-04": "LSCB analyst started; joint audit schedule agreed.",
            "2018-06": "First joint council/LSCB audit cycle done and grades moderated with the LSCB "
            "analyst. Submitted for sign-off.",
            "2018-07": "Signed off.",
        },
    ),
    (FS, "1.16"): Story(
        None,
        signoff=0,
        hard=2,
        settle="2018-03",
        overdue="amber",
        notes={
            "2017-08": "Job descriptions for three life story workers approved; advert out.",
            "2017-10": "One life story worker appointed; two posts re-advertised.",
            "2018-01": "Second worker in post. Life story work in progress for 64 of 190 children in "
            "long-term placements.",
            "2018-05": "Not every child in care has life story work yet: 112 of 190 under way, 38 complete. "
            "Third post still vacant.",
            "2018-07": "IROs asked to record life story progress at each review from August.",
            "2018-09": "Peer audit of 20 life story books: quality good in 14. Backlog remains for children "
            "placed out of borough.",
            "2018-11": "Later life letters now drafted at the point of placement for every adoption.",
            "2019-01": "Third post filled in December. 151 of 190 under way and 79 complete; IROs now check "
            "progress at every review.",
            "2019-03": "Backlog plan agreed: out-of-borough children prioritised by age and placement "
            "stability.",
            "2019-04": "112 of 192 complete. Revised completion date of September 2019 proposed to SWIB.",
            "2019-05": "Inspectors sampled life story work in the May inspection; quality praised, pace "
            "questioned.",
            "2019-06": "124 of 194 complete. One worker on long-term sick leave; agency cover requested.",
        },
    ),
    (FS, "1.17"): Story(
        "2018-02",
        hard=1,
        settle="2017-10",
        notes={
            "2017-08": "Corporate Parenting Action Plan progress reported to CPOG; entitlements leaflet "
            "drafted with #BOP.",
            "2017-10": "Refreshed Pledge sent to all children in care and care leavers, and explained on PA "
            "visits.",
            "2017-12": "Leaflet printed and sent to all care leavers; online version on the council website.",
            "2018-01": "CPAP feedback session: 17 of 20 care leavers knew their entitlements. Submitted for "
            "sign-off.",
            "2018-02": "Signed off; pledge feedback continues to CPAP every quarter.",
        },
    ),
    (FS, "1.18"): Story(
        "2018-10",
        signoff=0,
        hard=1,
        settle="2017-12",
        overdue="amber",
        notes={
            "2017-09": "Pre-application discussion held with planners; design team appointed.",
            "2017-12": "Planning application submitted on 8 December.",
            "2018-03": "Planning decision moved to the May committee while highways comments are resolved.",
            "2018-05": "Planning permission granted with conditions. Functionality of the intervention "
            "centre agreed with the REACH team.",
            "2018-08": "Contractor appointed; start on site slipped to October.",
            "2018-10": "Work started on site on 8 October. Closed here; construction is tracked by the "
            "capital programme board.",
        },
    ),
    (FS, "1.19"): Story(
        None,
        signoff=0,
        hard=0,
        settle="2017-10",
        overdue="green",
        overdue_status="On track",
        notes={
            "2017-09": "Analysis of 11 council sites done; 4 shortlisted for family-friendly meeting rooms.",
            "2018-01": "Proposals approved by SMT; works at the two priority sites costed.",
            "2018-06": "Family rooms open at two sites; the third site is waiting for its lease.",
            "2019-02": "Third site lease signed. Arrangements will be reviewed once all sites are open.",
            "2019-06": "On track: review of arrangements scheduled for the autumn, once the third site has "
            "been open for six months.",
        },
    ),
    (FS, "2.01"): Story(
        "2018-07",
        hard=1,
        settle="2017-11",
        notes={
            "2017-09": "Practice standards review group met; standards rewritten around Signs of Safety and "
            "the resilience model.",
            "2017-12": "Practice standards launched to staff and partners at the December practice week.",
            "2018-03": "Procedures manual reviewed and moved online.",
            "2018-06": "Refreshed procedures manual launched. Submitted for sign-off.",
            "2018-07": "Signed off.",
        },
    ),
    (FS, "2.02"): Story(
        "2017-11",
        signoff=0,
        hard=0,
        settle="2017-08",
        notes={
            "2017-08": "SWIB dates set (bi-monthly); the plan is a standing item on the CELS agenda from "
            "September.",
            "2017-09": "First monthly highlight report with RAG status taken to the DCS Assurance Meeting.",
            "2017-10": "Final plan submitted to Ofsted and the Secretary of State before the 16 October "
            "deadline.",
            "2017-11": "Governance running as designed (SWIB, CELS, DCS Assurance Meeting). Closed; the "
            "three-monthly plan refresh continues.",
        },
    ),
    (FS, "2.03"): Story(
        "2018-09",
        hard=2,
        settle="2018-02",
        notes={
            "2017-08": "Prototype single Assurance Report (performance, QA and service user feedback) "
            "drafted.",
            "2017-10": "Performance workshops for team managers delivered (3 sessions, 31 managers).",
            "2018-01": "0-25 Disability dataset agreed; first monthly extract in February.",
            "2018-05": "Cross-referencing return home information with CSE/gangs data is late: the tracker "
            "and LCS use different identifiers.",
            "2018-07": "Matching fixed; the aggregated dataset was used at the June MASE panel.",
            "2018-08": "Corporate Parenting dataset live for CPAP. Evidence submitted for sign-off.",
            "2018-09": "Signed off.",
        },
    ),
    (FS, "2.04"): Story(
        None,
        signoff=0,
        hard=3,
        settle="2018-03",
        overdue="red_amber",
        notes={
            "2017-08": "LCS improvement log re-prioritised with practitioners: 43 open change requests.",
            "2017-10": "Mobile working pilot running with 12 laptops and tablets in two DAT teams.",
            "2018-01": "81% of visits recorded within 5 working days (68% in July).",
            "2018-03": "Pilot findings to SMT; mobile devices agreed for all frontline staff.",
            "2018-07": "Mobile apps for LCS not live: the supplier moved the release to its autumn upgrade.",
            "2018-09": "Supplier confirmed the app release; user acceptance testing booked for October.",
            "2018-11": "LCS upgrade slipped again, to February, after failed testing.",
            "2019-04": "Supplier fix for offline sync promised for May; devices in use without the apps "
            "meanwhile.",
            "2019-02": "Upgrade installed, but app testing found offline sync faults. Go-live now planned "
            "for June.",
            "2019-06": "Go-live postponed again until the supplier fixes offline sync. Recording within 5 "
            "working days is at 93% and still rising.",
        },
    ),
    (FS, "2.05"): Story(
        "2018-10",
        hard=1,
        settle="2017-12",
        notes={
            "2017-09": "Service User Engagement Strategy in use: feedback forms at CP conferences and LAC "
            "reviews.",
            "2018-01": "Young commissioners programme has recruited 9 young people.",
            "2018-05": "Effectiveness review delayed while the participation officer post is vacant.",
            "2018-08": "Review carried out with #BOP; 3 changes agreed, including text feedback after "
            "conferences.",
            "2018-09": "Evidence submitted for sign-off.",
            "2018-10": "Signed off.",
        },
    ),
    (FS, "2.06"): Story(
        "2018-04",
        hard=1,
        settle="2017-12",
        notes={
            "2017-09": "Recording framework introduced at the practice week; workshops booked for every "
            "team.",
            "2017-12": "Workshops delivered to 9 of 14 teams.",
            "2018-02": "Recording audit improved on 6 of 10 criteria, but impact on case files is not yet "
            "consistent.",
            "2018-03": "Case file audit now evidences the impact. Submitted for sign-off.",
            "2018-04": "Signed off.",
        },
    ),
    (FS, "3.01"): Story(
        "2018-04",
        hard=1,
        settle="2017-10",
        notes={
            "2017-08": "Improvement plan briefings at the all-staff events on 7 and 9 August.",
            "2017-11": "Staff survey: 83% know the improvement priorities and their part in them.",
            "2018-02": "Progress on the plan presented to staff and partners at the February practice week.",
            "2018-03": "Submitted for sign-off.",
            "2018-04": "Signed off.",
        },
    ),
    (FS, "3.02"): Story(
        None,
        signoff=0,
        hard=3,
        settle="2019-01",
        overdue="amber",
        tail={"2019-06": "red"},
        notes={
            "2017-08": "Agency social workers hold 28% of posts. Recruitment campaign under the new Barnet "
            "brand launched.",
            "2017-10": "Practice Leaders in post and the 0-25 consultation closed. Extra CiC team manager "
            "appointed.",
            "2018-01": "Agency rate 24%. Additional admin support now in every social work team.",
            "2018-04": "Turnover down to 15%; in the staff survey 74% feel well supported.",
            "2018-07": "Agency rate 19% against the 10% target. 12 newly qualified social workers start in "
            "September.",
            "2018-09": "12 newly qualified social workers started with protected caseloads.",
            "2018-11": "Agency rate 17%; 6 agency workers accepted the offer to convert to permanent posts.",
            "2019-02": "Agency rate 15%. Vacancies are concentrated in the 0-25 service and CiC.",
            "2019-05": "Agency at 14%, still above the 10% target. Recruitment events postponed during the "
            "inspection fieldwork.",
            "2019-06": "Agency use rose to 16.8% after 7 permanent leavers in CiC and the 0-25 service. "
            "Targeted campaign and retention payments going to SWIB in July.",
        },
    ),
    (FS, "3.03"): Story(
        None,
        signoff=1,
        hard=1,
        settle="2017-12",
        overdue="green_amber",
        notes={
            "2017-09": "Barnet Practice Academy launched on 20 September; its learning offer follows the QA "
            "themes.",
            "2017-12": "Induction programme for new managers running (cohort 1: 8 managers).",
            "2018-03": "All faculties of the Practice Academy live. Impact of induction discussed at the "
            "Team Managers monthly meeting.",
            "2018-07": "Tailored learning plans in place for 61% of staff; slowed by changes to the "
            "appraisal cycle.",
            "2019-01": "Tailored plans now part of appraisal: 84% complete.",
            "2019-06": "Tailored learning and development plans in place for all staff, with new starters "
            "covered within 6 weeks. Submitted for sign-off.",
        },
    ),
    (FS, "3.04"): Story(
        "2019-03",
        hard=1,
        settle="2017-12",
        overdue="amber",
        notes={
            "2017-08": "Signs of Safety built into the assessment and CP conference templates.",
            "2017-12": "All team managers have completed SoS Practice Leadership training; cohort 1 "
            "Practice Leaders reported to the Team Managers meeting.",
            "2018-04": "Systemic Leadership Training for team managers started (two cohorts).",
            "2018-08": "SMT systemic training delayed by changes in the senior team; new dates in November "
            "and January.",
            "2019-01": "SMT completed systemic training, and all SoS Practice Leaders have reported on "
            "implementation.",
            "2019-02": "Submitted for sign-off.",
            "2019-03": "Signed off at SWIB.",
        },
    ),
    # ---------------------------------------------------------------------------------------- LSCB plan
    (LSCB, "L1.1"): Story(
        "2018-01",
        hard=2,
        settle="2017-10",
        notes={
            "2017-08": "New governance in place: the Executive Group has met three times and the Board "
            "constitution is drafted.",
            "2017-10": "Constitution agreed and challenge log live. Risk register drafted, but partner "
            "contributions for 2018/19 not yet confirmed.",
            "2017-11": "Partner funding agreement delayed by the CCG budget round; review of policy "
            "implementation started.",
            "2017-12": "Funding agreed and risk register adopted. Submitted for sign-off.",
            "2018-01": "Signed off by the Executive Group.",
        },
    ),
    (LSCB, "L1.2"): Story(
        "2017-12",
        hard=1,
        settle="2017-09",
        notes={
            "2017-08": "Business plan rewritten around the Board's statutory duties; draft to the Executive "
            "Group.",
            "2017-09": "Business plan approved; each priority has a work plan with a lead and a scorecard.",
            "2017-10": "Monthly reporting to the Executive Group started; annual report template now "
            "requires analysis of impact.",
            "2017-11": "Submitted for sign-off.",
            "2017-12": "Signed off.",
        },
    ),
    (LSCB, "L1.3"): Story(
        "2018-09",
        hard=2,
        settle="2017-12",
        notes={
            "2017-08": "Planning group with police and children's services met; adolescent risk approach "
            "drafted.",
            "2017-09": "Two multi-agency workshops with young people held (38 attendees).",
            "2017-10": "New adolescent risk strategic group operational; problem profile and scorecard "
            "agreed.",
            "2017-12": "First quarterly monitoring report to the Executive Group and Leadership Forum.",
            "2018-03": "Second quarterly report: repeat missing episodes down 9%.",
            "2018-06": "Case QA done. The six-month review led by young people moved to July (exam period).",
            "2018-08": "Young people's review reported to the Board. Submitted for sign-off.",
            "2018-09": "Signed off.",
        },
    ),
    (LSCB, "L1.4"): Story(
        "2017-10",
        hard=1,
        settle="2017-09",
        notes={
            "2017-08": "Business unit structure agreed; business manager and administrator posts advertised.",
            "2017-09": "Both posts appointed. Submitted for sign-off.",
            "2017-10": "Business unit in place. Signed off.",
        },
    ),
    (LSCB, "L1.5"): Story(
        "2018-02",
        hard=2,
        settle="2017-09",
        notes={
            "2017-08": "Communications plan drafted; first newsletter issued.",
            "2017-10": "Website behind schedule: the supplier contract was signed late.",
            "2017-12": "Website being tested with young people and partners.",
            "2018-01": "Website live on 15 January. Submitted for sign-off.",
            "2018-02": "Signed off; analytics reported quarterly.",
        },
    ),
    (LSCB, "L1.6"): Story(
        "2018-04",
        hard=2,
        settle="2017-10",
        notes={
            "2017-09": "Designated safeguarding leads networks for health and education set up.",
            "2017-11": "VCS Community Together Network agreed; locality networks slower to start.",
            "2018-01": "Two of four locality networks running.",
            "2018-03": "All four locality networks have met. Submitted for sign-off.",
            "2018-04": "Signed off.",
        },
    ),
    (LSCB, "L2.1"): Story(
        "2017-12",
        hard=2,
        settle="2017-09",
        notes={
            "2017-08": "Development programme for partners not yet commissioned (July milestone missed); "
            "proposal to the Executive Group in September.",
            "2017-09": "Programme commissioned, including lay and elected members.",
            "2017-10": "First two sessions delivered.",
            "2017-11": "Programme delivered and case vignettes collected. Submitted for sign-off.",
            "2017-12": "Signed off.",
        },
    ),
    (LSCB, "L3.1"): Story(
        "2018-05",
        hard=2,
        settle="2017-10",
        notes={
            "2017-08": "QA framework drafted; multi-agency audit schedule for 2017/18 agreed.",
            "2017-09": "Learning and Improvement group set up with partner QA leads.",
            "2017-10": "New scorecards reporting monthly. Analyst post still at advert (August milestone "
            "missed).",
            "2017-12": "Analyst appointment fell through; post re-advertised.",
            "2018-02": "Analyst appointed, starting in April.",
            "2018-04": "Analyst in post; challenge and oversight evidenced in Board minutes. Submitted for "
            "sign-off.",
            "2018-05": "Signed off.",
        },
    ),
    (LSCB, "L3.2"): Story(
        "2018-06",
        hard=1,
        settle="2017-11",
        notes={
            "2017-09": "Thresholds evaluation programme designed; first check point booked for February.",
            "2017-10": "Audit of MASH and early help threshold decisions under way.",
            "2017-12": "Report to the Leadership Forum: thresholds applied correctly in 81% of contacts.",
            "2018-02": "Second check: 87%. Repeat referrals within 12 months down.",
            "2018-04": "March review of the thresholds document's impact slipped one month.",
            "2018-05": "Reviews done and communications programme running. Submitted for sign-off.",
            "2018-06": "Signed off.",
        },
    ),
    (LSCB, "L3.3"): Story(
        "2018-03",
        hard=1,
        settle="2017-10",
        notes={
            "2017-10": "Private fostering campaign live on the website.",
            "2018-01": "Deep dive done; 5 recommendations to the Leadership Forum.",
            "2018-02": "Case sampling of connected persons arrangements: good casework in 78% of cases. "
            "Submitted for sign-off.",
            "2018-03": "Signed off.",
        },
    ),
    (LSCB, "L3.4"): Story(
        "2018-10",
        start="2018-01",
        hard=1,
        settle="2018-03",
        notes={
            "2018-01": "S11 and S175 audit tools issued to partners.",
            "2018-03": "S11 returns in from 14 of 17 agencies; children's social care included this year.",
            "2018-06": "Challenge panels moved to July and August.",
            "2018-09": "Challenge panels done. Submitted for sign-off.",
            "2018-10": "Signed off.",
        },
    ),
    (LSCB, "L3.5"): Story(
        "2018-06",
        hard=1,
        settle="2017-11",
        notes={
            "2017-10": "Monthly GCP2 reporting started: 9 agencies using the Graded Care Profile 2.",
            "2018-02": "Neglect audit postponed to April.",
            "2018-04": "Neglect audit done: GCP2 used in 60% of neglect cases.",
            "2018-05": "Submitted for sign-off.",
            "2018-06": "Signed off.",
        },
    ),
    (LSCB, "L5.1"): Story(
        "2018-04",
        hard=1,
        settle="2017-11",
        notes={
            "2017-09": "Learning and improvement sub group established.",
            "2017-10": "Training task group designed the new training plan and its evaluation.",
            "2018-01": "Online training and evaluation live on the website; first quarterly evaluation due "
            "March.",
            "2018-03": "First quarterly evaluation reported. Submitted for sign-off.",
            "2018-04": "Signed off.",
        },
    ),
    (LSCB, "L5.2"): Story(
        "2017-11",
        hard=1,
        settle="2017-09",
        notes={
            "2017-08": "SCR review groups formed as required; SCR toolkit drafted.",
            "2017-09": "Toolkit agreed; learning briefings issued.",
            "2017-10": "Practitioner focus group held. Submitted for sign-off.",
            "2017-11": "Signed off.",
        },
    ),
    (LSCB, "L5.3"): Story(
        "2019-02",
        hard=1,
        settle="2017-10",
        overdue="green_amber",
        notes={
            "2017-08": "CDOP now applies the London CDOP procedures.",
            "2017-09": "CDOP annual report rewritten to set out learning from deaths with modifiable "
            "factors.",
            "2017-11": "Planning for the new national CDOP arrangements started.",
            "2018-04": "National guidance awaited; transition plan on hold.",
            "2018-10": "Statutory guidance published; a cross-borough CDOP footprint is being negotiated.",
            "2019-01": "Joint CDOP arrangements agreed. Submitted for sign-off.",
            "2019-02": "Signed off.",
        },
    ),
    (LSCB, "L6.1"): Story(
        "2018-08",
        hard=1,
        settle="2017-11",
        notes={
            "2017-09": "Service user engagement strategy adopted across the partnership.",
            "2017-10": "Safeguarding annual conversation held with 120 young people; domestic abuse added "
            "to the audit schedule.",
            "2018-02": "Social media campaign led by young people launched.",
            "2018-06": "Second annual conversation held; the UNICEF programme now includes safeguarding.",
            "2018-07": "Submitted for sign-off.",
            "2018-08": "Signed off.",
        },
    ),
    # ----------------------------------------------------------------------------------------- 2012 plan
    (SLAC, "1.1"): Story(
        "2012-05",
        signoff=0,
        settle="2012-04",
        notes={
            "2012-03": "Review of housing services for victims of domestic abuse commissioned through the "
            "DVSB.",
            "2012-05": "Review reported to the DVSB with six recommendations for housing. Complete.",
        },
    ),
    (SLAC, "1.2"): Story(
        "2012-09",
        signoff=0,
        start="2012-06",
        settle="2012-06",
        notes={
            "2012-07": "Strategy refresh drafted with a new housing section.",
            "2012-09": "Refreshed strategy and action plan agreed by the Safer Communities Board.",
        },
    ),
    (SLAC, "2.1"): Story(
        "2012-05",
        signoff=0,
        settle="2012-04",
        notes={
            "2012-04": "Review of section 47 recording and strategy discussions under way in all teams.",
            "2012-05": "Review complete; findings to the management meeting.",
        },
    ),
    (SLAC, "2.2"): Story(
        "2012-08",
        signoff=0,
        start="2012-06",
        settle="2012-06",
        notes={
            "2012-06": "Guidance drafted from the review findings.",
            "2012-08": "Guidance issued; the first compliance check found 90% of s47 records in the new "
            "format.",
        },
    ),
    (SLAC, "3.1"): Story(
        "2012-04",
        signoff=0,
        settle="2012-03",
        notes={
            "2012-03": "Since 1 March all strategy discussions are chaired by team managers, including LADO "
            "meetings.",
        },
    ),
    (SLAC, "3.2"): Story(
        "2012-08",
        signoff=0,
        start="2012-05",
        settle="2012-05",
        notes={
            "2012-06": "Monthly check: 47 of 49 strategy meetings chaired by a team manager.",
        },
    ),
    (SLAC, "4.1"): Story(
        None,
        signoff=0,
        hard=1,
        settle="2012-04",
        overdue="amber",
        tail={
            "2012-05": "amber",
            "2012-06": "amber",
            "2012-07": "green_amber",
            "2012-08": "green_amber",
            "2012-09": "amber",
        },
        statuses={
            "2012-05": "Delayed",
            "2012-06": "Delayed",
            "2012-07": "In progress",
            "2012-08": "In progress",
            "2012-09": "Delayed",
        },
        notes={
            "2012-03": "Terms of reference drafted for an independent review of LADO protocols.",
            "2012-05": "Reviewer not yet commissioned: quotes came in above budget.",
            "2012-07": "Reviewer commissioned; fieldwork in September.",
            "2012-09": "Fieldwork under way, report expected in November. The plan set no completion date "
            "for this action.",
        },
    ),
    (SLAC, "5.1"): Story(
        "2012-04",
        signoff=0,
        settle="2012-03",
        notes={
            "2012-04": "Guidance reissued to all schools via the schools bulletin.",
        },
    ),
    (SLAC, "5.2"): Story(
        "2012-05",
        signoff=0,
        settle="2012-03",
        notes={
            "2012-05": "Covered at the primary and secondary heads' meetings.",
        },
    ),
    (SLAC, "5.3"): Story(
        "2012-06",
        signoff=0,
        settle="2012-04",
        notes={
            "2012-06": "BSCB agreed further safeguarding training for schools in its autumn programme.",
        },
    ),
    (SLAC, "6.1"): Story(
        "2012-05",
        signoff=0,
        settle="2012-04",
        notes={
            "2012-04": "Dip audit of 40 CIN and CP plans: actions specific in 22, timescales set in 18.",
        },
    ),
    (SLAC, "6.2"): Story("2012-05", signoff=0, settle="2012-04"),
    (SLAC, "6.3"): Story(
        "2012-06",
        signoff=0,
        hard=1,
        settle="2012-05",
        notes={
            "2012-06": "Smarter plan writing guidance issued and training delivered to all CIN and CP teams.",
        },
    ),
    (SLAC, "6.4"): Story(
        "2012-09",
        signoff=0,
        start="2012-07",
        settle="2012-07",
        notes={
            "2012-09": "Follow-up audit: actions specific in 34 of 40 plans. Complete.",
        },
    ),
    (SLAC, "7.1"): Story(
        "2012-04",
        signoff=0,
        settle="2012-03",
        notes={
            "2012-04": "SMART supervision recording guidance issued to team managers, social workers and "
            "IROs.",
        },
    ),
    (SLAC, "7.2"): Story(
        "2012-05",
        signoff=0,
        settle="2012-04",
        notes={
            "2012-05": "External supervision training commissioned for all team managers (two cohorts).",
        },
    ),
    (SLAC, "7.3"): Story(
        "2012-09",
        signoff=0,
        start="2012-06",
        settle="2012-06",
        notes={
            "2012-09": "Dip audit of 30 supervision records: 26 compliant with the guidance.",
        },
    ),
    (SLAC, "8.1"): Story(
        "2012-05",
        signoff=0,
        settle="2012-04",
        notes={
            "2012-04": "Two focus groups held with the Role Model Army and care leavers.",
        },
    ),
    (SLAC, "8.2"): Story(
        "2012-06",
        signoff=0,
        hard=1,
        settle="2012-05",
        notes={
            "2012-06": "Pledge monitoring plan agreed at the Corporate Parenting Advisory Panel.",
        },
    ),
    (SLAC, "8.3"): Story(
        "2012-09",
        signoff=0,
        start="2012-06",
        settle="2012-06",
        notes={
            "2012-09": "Pledge sent to every child in care and care leaver, and launched at the Role Model "
            "Army event.",
        },
    ),
    (SLAC, "9.1"): Story("2012-05", signoff=0, settle="2012-04"),
    (SLAC, "9.2"): Story(
        "2012-04",
        signoff=0,
        settle="2012-03",
        notes={
            "2012-04": "Audit forward plan for 2012/13 agreed by the management meeting.",
        },
    ),
    (SLAC, "10.1"): Story(
        "2012-06",
        signoff=0,
        hard=1,
        settle="2012-05",
        notes={
            "2012-06": "Complaints from looked after children now reported quarterly to senior managers and "
            "yearly to the relevant committees and boards.",
        },
    ),
    (SLAC, "11.1"): Story(
        "2012-08",
        signoff=0,
        settle="2012-05",
        notes={
            "2012-07": "Draft permanency policy consulted on with IROs and legal services.",
            "2012-08": "Permanency policy approved.",
        },
    ),
    (SLAC, "11.2"): Story(
        "2012-08",
        signoff=0,
        settle="2012-05",
        notes={
            "2012-06": "Review of all longer-term looked after children half done.",
        },
    ),
    (SLAC, "11.3"): Story(
        "2012-09",
        signoff=0,
        start="2012-08",
        settle="2012-08",
        notes={
            "2012-09": "Permanency policy briefings delivered to all teams; permanence tracked at LAC "
            "reviews.",
        },
    ),
    (SLAC, "13.1"): Story("2012-08", signoff=0, settle="2012-05"),
    (SLAC, "14.1"): Story(
        "2012-07",
        signoff=0,
        settle="2012-05",
        notes={
            "2012-07": "Level 3 interagency training programme sent to all health staff.",
        },
    ),
    (SLAC, "15.1"): Story(
        "2012-05",
        signoff=0,
        settle="2012-04",
        notes={
            "2012-04": "Two GP surgeries now support the designated nurse for looked after children.",
        },
    ),
    (SLAC, "15.2"): Story(
        "2012-09",
        signoff=0,
        settle="2012-06",
        notes={
            "2012-09": "Review complete; designated doctor for looked after children appointed from October.",
        },
    ),
}

PLAN_MONTHS = {FS: ("2017-08", "2019-06"), LSCB: ("2017-08", "2019-06"), SLAC: ("2012-03", "2012-09")}

# Who types the update. Each lead has a habit of spelling RAG ("title", "short" or "mixed").
OD_EH = "Operational Director Early Help and Children in Need of Help and Protection"
OD_CP = "Operational Director Corporate Parenting, Permanence and Transitions"
DD_PI = "Divisional Director Performance and Improvement"
HOS_BI = "HoS Business Improvement"
RAG_HABIT = {OD_EH: "title", OD_CP: "short", DD_PI: "mixed", HOS_BI: "title"}
DEPUTIES = {
    OD_EH: "Head of Service, MASH and Duty & Assessment",
    OD_CP: "Head of Service, Children in Care",
    DD_PI: "Head of Service, Performance & Improvement",
    HOS_BI: "Improvement Team",
}

EVIDENCE_TEAM = {
    FS: "the Improvement Team",
    LSCB: "the LSCB business unit",
    SLAC: "the Strategy and Project Officers",
}
MEETINGS = {
    FS: ("the DCS Assurance Meeting", "SWIB", "the Family Services Business Management Group"),
    LSCB: ("the LSCB Executive Group", "the Leadership Forum", "the Learning and Improvement group"),
    SLAC: ("the Safeguarding and social care management meeting", "the Senior Leadership Team", "the BSCB"),
}

ROUTINE = {
    "not_started": [
        "Not started; scheduled to begin in {sm}.",
        "Not due to start until {sm}; lead confirmed.",
        "Not started: follows on from earlier steps in the plan, due to begin in {sm}.",
    ],
    "on_track": [
        "On track for the {h} milestone: “{ms}”.",
        "Progress reviewed at {m3}; no new risks.",
        "Evidence for “{ms}” being collected for {m2}.",
        "Work progressing as planned; next update at {m1}.",
        "No issues this month. Working towards: “{ms}”.",
        "Next steps for “{ms}” agreed at {m3}.",
    ],
    "slipping": [
        "Some slippage against “{ms}”; recovery plan agreed with the Heads of Service.",
        "Capacity pressures this month, so work on “{ms}” is slower than planned.",
        "Progress made but behind profile; risk noted in the highlight report to {m1}.",
        "Waiting on other teams for “{ms}”; chased through {m3}.",
        "Behind the {h} milestone; weekly check-ins with the team managers now in place.",
    ],
    "overdue": [
        "Past the due date. Still outstanding: “{ms}”. Revised date to be agreed at {m1}.",
        "Overdue: “{ms}” not yet evidenced. Escalated to {m2}.",
        "Still behind; recovery actions agreed and being tracked monthly.",
        "No change since last month: “{ms}” remains outstanding.",
        "Reported as overdue in the highlight report; mitigation in place but not yet closed.",
        "Overdue. The lead has asked {m2} to agree a revised completion date.",
    ],
    "signoff": [
        "All milestones met; evidence pack with {team} awaiting sign-off at {m1}.",
        "Awaiting sign-off at {m2}.",
    ],
    "complete": [
        "Signed off at {m1}; action closed.",
        "Closed following sign-off at {m2}; impact monitored through routine reporting.",
    ],
}


def open_items(text: str) -> list[str]:
    """The bullets of a milestone cell that the plan does not already mark as done."""
    items = [line.lstrip("• ").strip() for line in text.split("\n") if line.strip()]
    return [item for item in items if "completed]" not in item]


def clean_milestone(text: str) -> str:
    first = text.split("\n")[0].lstrip("• ").strip()
    for tag in ("[ongoing]", "[multi-agency]", "[LSCB action]", "[by the council and LSCB]"):
        first = first.replace(tag, "")
    first = " ".join(first.split()).rstrip(" .,")
    if len(first) > 95:
        first = first[:95].rsplit(" ", 1)[0].rstrip(",;") + "…"
    return first


def current_milestone(action: dict[str, Any], month: Month, first: Month) -> tuple[str, str]:
    """The (horizon, milestone text) the action is working towards in ``month``."""
    milestones: dict[str, str] = action.get("milestones") or {}
    if milestones:
        elapsed = (month[0] - first[0]) * 12 + month[1] - first[1] + 1
        for horizon, text in milestones.items():
            items = open_items(text)
            if items and elapsed <= int(horizon.split()[0]):
                return horizon, clean_milestone(items[0])
        horizon = list(milestones)[-1]
        return horizon, clean_milestone(milestones[horizon])
    items = [line for line in str(action.get("description") or "").split("\n") if line.strip()]
    index = min(len(items) - 1, max(0, (month[0] - first[0]) * 12 + month[1] - first[1]))
    text = items[index].split(". ", 1)[-1] if items[index][:1].isdigit() else items[index]
    return "next", clean_milestone(text)


# Routine updates for these actions quote the month's DU Assurance Report figure (history/kpi_monthly.csv).
KPI_LINKS: dict[tuple[str, str], tuple[str, str]] = {
    (FS, "1.02"): ("DU-REREF", "Re-referrals within 12 months: {v}% (target {t}%)."),
    (FS, "1.03"): ("DU-AUDITGOOD", "{v}% of cases audited this month were good or better."),
    (FS, "1.04"): ("DU-VISITS", "Children in care visited within timescale: {v}% (target {t}%)."),
    (FS, "1.06"): ("DU-STRATEGY", "Police and health both present at {v}% of strategy discussions."),
    (FS, "1.08"): ("DU-RHI", "Return home interviews offered after {v}% of missing episodes."),
    (FS, "1.09"): ("DU-CAREPROC", "Average duration of care proceedings {v} weeks (national target 26)."),
    (FS, "1.15"): ("DU-AUDITGOOD", "Audit grades this month: {v}% good or better."),
    (FS, "1.17"): ("DU-CLPATHWAY", "{v}% of care leavers have an up-to-date pathway plan."),
    (FS, "2.03"): ("DU-ASSESS45", "Assessments within 45 working days: {v}% (target {t}%)."),
    (FS, "3.02"): ("DU-AGENCY", "Agency staff hold {v}% of social work posts (target {t}%)."),
    (FS, "3.04"): ("DU-TURNOVER", "Rolling social worker turnover {v}%."),
}


def reporter(plan: str, lead: str) -> str:
    """The person or role who types the monthly update for an action's lead cell."""
    if plan == SLAC:  # first named person of "Social Care lead – Jo Pymont & Erica Ferrari; ..."
        first = lead.split(";")[0].split("/")[0].split(" – ")[-1].split(" - ")[-1]
        return first.split(" & ")[0].strip()
    if lead == "partners":
        return "Partnership manager (for partners)"
    return lead


def rag_word(level: str, who: str, rng: random.Random) -> str:
    habit = RAG_HABIT.get(who, "mixed")
    if habit == "mixed":
        habit = rng.choice(("title", "short"))
    return RAG_STYLES[habit][level]


def progress_level(story: Story, month: Month, first: Month, rng: random.Random) -> str:
    settle = ym(story.settle)
    span = max(1, (settle[0] - first[0]) * 12 + settle[1] - first[1])
    gone = (month[0] - first[0]) * 12 + month[1] - first[1]
    base = story.hard * max(0.0, 1.0 - gone / span) + rng.choice((-0.4, 0.0, 0.0, 0.3))
    step = max(0, min(3, round(base)))
    if step == 1:
        return rng.choice(("green_amber", "green_amber", "amber"))
    if step == 2:
        return rng.choice(("amber", "red_amber", "red_amber"))
    return ("green", "", "", "red")[step]


def overdue_level(story: Story, late: int) -> str:
    if story.overdue:
        return story.overdue
    if late <= 1:
        return "green_amber"
    if late <= 3:
        return "amber"
    return "red_amber" if late <= 6 else "red"


def action_rows(
    plan: str,
    action: dict[str, Any],
    story: Story,
    figures: dict[tuple[str, str], tuple[str, str]],
    rng: random.Random,
) -> list[list[str]]:
    first_text, last_text = PLAN_MONTHS[plan]
    months = month_range(first_text, story.done or last_text)
    first = ym(first_text)
    start = ym(story.start) if story.start else first
    due: dt.date | None = action.get("due")
    lead = str(action["lead_officer"])
    who = reporter(plan, lead)
    deputy = DEPUTIES.get(lead)
    m1, m2, m3 = MEETINGS[plan]
    last_template = ""
    rows: list[list[str]] = []
    n = len(months)
    for i, month in enumerate(months):
        key = label(month)
        late = months_after(due, month) if due else 0
        if story.done and i == n - 1:
            phase, status, level = "complete", "Complete", "green"
        elif story.signoff and i >= n - story.signoff - (1 if story.done else 0):
            phase, status, level = "signoff", "Complete - awaiting sign-off", "green"
        elif month < start:
            phase, status, level = "not_started", "Not started", "green" if late == 0 else "amber"
        elif late:
            level = story.tail.get(key, overdue_level(story, late))
            phase = "on_track" if level == "green" else "overdue"
            status = story.overdue_status
        else:
            level = story.tail.get(key, progress_level(story, month, start, rng))
            phase = "on_track" if level == "green" else "slipping"
            status = "On track" if level == "green" and rng.random() < 0.8 else "In progress"
        status = story.statuses.get(key, status)
        if key in story.notes:
            commentary = story.notes[key]
        else:
            horizon, milestone = current_milestone(action, month, first)
            pool = [t for t in ROUTINE[phase] if t != last_template] or ROUTINE[phase]
            template = rng.choice(pool)
            last_template = template
            commentary = template.format(
                sm=f"{calendar.month_name[start[1]]} {start[0]}",
                h=horizon,
                ms=milestone,
                m1=m1,
                m2=m2,
                m3=m3,
                team=EVIDENCE_TEAM[plan],
            )
            link = KPI_LINKS.get((plan, str(action["ref"])))
            if link and phase in ("on_track", "slipping", "overdue") and (link[0], key) in figures:
                value, target = figures[(link[0], key)]
                commentary = f"{link[1].format(v=value, t=target)} {commentary}"
        by = who
        if deputy and phase not in ("complete", "signoff") and rng.random() < 0.2:
            by = f"{deputy} (for {who})"
        rows.append(
            [
                plan,
                str(action["ref"]),
                month_end(month).isoformat(),
                status,
                rag_word(level, who, rng),
                commentary,
                by,
            ]
        )
    return rows


# --------------------------------------------------------------------------------------------------------
# Monthly DU KPIs
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    """July 2017 level -> June 2019 level, with noise, targets and a few scripted months."""

    start: float
    end: float
    noise: float
    target: float
    target_from_april_2018: float | None = None
    bumps: dict[str, float] = field(default_factory=dict)  # month -> shift added that month
    fixed: dict[str, float] = field(default_factory=dict)  # month -> exact value
    notes: dict[str, str] = field(default_factory=dict)
    floor: float = 0.0
    ceiling: float = 100.0


SERIES: dict[str, Series] = {
    "DU-VISITS": Series(
        78.0,
        96.0,
        1.3,
        90,
        95,
        bumps={"2018-08": -3.5, "2018-12": -2.0},
        fixed={"2017-10": 81.0, "2018-05": 88.0, "2019-06": 96.8},
        notes={
            "2017-07": "Starting position after the inspection: some visits arranged in advance or not at "
            "home.",
            "2018-08": "Summer leave dip; visits to children placed far from Barnet fell behind.",
            "2019-05": "Highest since reporting began.",
        },
    ),
    "DU-CPVISITS": Series(
        81.0,
        97.0,
        1.2,
        90,
        95,
        fixed={"2017-10": 85.0, "2018-01": 87.0, "2018-05": 90.0, "2019-06": 98.4},
        notes={"2018-01": "Reviews slipped over Christmas; visits held up."},
    ),
    "DU-ASSESS45": Series(
        71.0,
        92.0,
        1.6,
        85,
        90,
        bumps={"2018-01": -5.0, "2018-02": -3.0},
        fixed={"2019-06": 86.4},
        notes={
            "2017-07": "Backlog of out-of-timescale assessments from the spring being cleared.",
            "2018-01": "Post-Christmas rise in contacts; two DAT teams carrying vacancies.",
            "2019-06": "Below target: the duty rota was short during the inspection aftermath and two DAT "
            "managers left.",
        },
    ),
    "DU-ASSESSDAYS": Series(
        41.0, 29.0, 1.0, 40, 35, bumps={"2018-01": 3.5, "2018-02": 2.0}, floor=10, ceiling=90
    ),
    "DU-CASELOAD-DAT": Series(
        14.2,
        11.4,
        0.35,
        12,
        bumps={"2017-10": 0.8, "2018-01": 1.0},
        floor=5,
        ceiling=40,
        notes={
            "2017-07": "Up from 12.7 in April 2017 as contacts rose after the inspection.",
            "2018-01": "January demand spike.",
        },
    ),
    "DU-CASELOAD-IP": Series(15.2, 13.1, 0.3, 15, floor=5, ceiling=40),
    "DU-CASELOAD-CIC": Series(
        17.8,
        14.2,
        0.35,
        15,
        fixed={"2019-06": 15.9},
        floor=5,
        ceiling=40,
        notes={
            "2017-10": "Additional CiC team manager in post; caseloads being rebalanced.",
            "2019-06": "Two social worker leavers in CiC not yet replaced; cases reallocated within the "
            "team.",
        },
    ),
    "DU-RHI": Series(
        60.0,
        88.0,
        2.0,
        80,
        90,
        bumps={"2018-08": -4.0},
        fixed={"2017-07": 61.0, "2018-01": 70.0, "2018-05": 76.0, "2019-06": 89.8},
        notes={
            "2017-07": "Up from 58% in May 2017; out-of-area interviews remain the gap.",
            "2018-08": "Commissioned out-of-area provider short of staff over the summer.",
        },
    ),
    "DU-REREF": Series(
        23.5,
        16.8,
        0.9,
        20,
        18,
        bumps={"2018-10": 2.5},
        fixed={"2019-06": 16.3},
        notes={
            "2018-10": "Increase linked to early help cases closed in the summer being re-referred.",
        },
    ),
    "DU-STRATEGY": Series(
        58.0,
        91.0,
        2.2,
        85,
        90,
        fixed={"2017-10": 61.0},
        notes={
            "2017-10": "Health present in only 61% of strategy discussions; escalated to the LSCB Executive "
            "Group.",
            "2018-02": "Named-nurse rota for strategy meetings started.",
        },
    ),
    "DU-CPP2": Series(15.4, 13.1, 0.8, 15.6, ceiling=40),
    "DU-CAREPROC": Series(
        30.5,
        26.6,
        0.6,
        26,
        fixed={"2018-01": 28.0, "2019-06": 26.3},
        floor=10,
        ceiling=80,
        notes={
            "2018-01": "Permanency Court tracker now reported quarterly to SMT.",
        },
    ),
    "DU-PLACE3": Series(10.8, 9.1, 0.35, 10, ceiling=40),
    "DU-CLPATHWAY": Series(
        71.0,
        93.0,
        1.8,
        85,
        90,
        fixed={"2019-06": 93.9},
        notes={
            "2018-02": "Pathway plan template rewritten with care leavers.",
        },
    ),
    "DU-AGENCY": Series(
        28.0,
        14.1,
        0.8,
        15,
        10,
        floor=0,
        ceiling=60,
        fixed={
            "2017-08": 28.0,
            "2018-01": 24.0,
            "2018-07": 19.0,
            "2018-11": 17.0,
            "2019-02": 15.0,
            "2019-05": 14.0,
            "2019-06": 16.8,
        },
        notes={
            "2017-07": "Agency reliance high after leavers following the inspection outcome.",
            "2018-09": "12 newly qualified social workers started.",
            "2019-06": "Up after 7 permanent leavers in CiC and the 0-25 service; see action 3.02.",
        },
    ),
    "DU-TURNOVER": Series(
        18.2,
        12.9,
        0.4,
        15,
        fixed={"2018-04": 15.0},
        notes={
            "2017-07": "Rolling 12-month turnover up from 12.76% in March 2017 after the inspection outcome.",
        },
    ),
    "DU-AUDITGOOD": Series(
        22.0,
        63.0,
        3.0,
        40,
        60,
        fixed={"2017-07": 18.0, "2019-06": 67.5},
        notes={
            "2017-07": "Baseline month of the monthly audit programme.",
            "2019-04": "Audits moderated by the improvement partner; grades confirmed.",
        },
    ),
}

MONTHS_KPI = month_range("2017-07", "2019-06")


def kpi_rows(kpis: list[dict[str, Any]], rng: random.Random) -> list[list[str]]:
    rows: list[list[str]] = []
    n = len(MONTHS_KPI) - 1
    for kpi in kpis:
        if kpi.get("frequency") != "monthly":
            continue
        ref = str(kpi["ref"])
        series = SERIES[ref]
        decimals = int(kpi.get("decimals") if kpi.get("decimals") is not None else 1)
        for i, month in enumerate(MONTHS_KPI):
            key = label(month)
            share = 1.0 - (1.0 - i / n) ** 1.4
            value = series.start + (series.end - series.start) * share
            value += rng.gauss(0.0, series.noise) + series.bumps.get(key, 0.0)
            value = series.fixed.get(key, min(series.ceiling, max(series.floor, value)))
            target = series.target
            if series.target_from_april_2018 is not None and month >= (2018, 4):
                target = series.target_from_april_2018
            rows.append(
                [ref, AUTHORITY, key, f"{value:.{decimals}f}", f"{target:g}", series.notes.get(key, "")]
            )
    return rows


# --------------------------------------------------------------------------------------------------------
def load(name: str, key: str) -> list[dict[str, Any]]:
    with (HERE / name).open(encoding="utf-8") as fh:
        data: list[dict[str, Any]] = (yaml.safe_load(fh) or {}).get(key) or []
    return data


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    rng = random.Random(SEED)  # noqa: S311 - reproducible sample data, not security
    monthly = kpi_rows(load("kpis.yaml", "kpis"), rng)
    figures = {(row[0], row[2]): (row[3], row[4]) for row in monthly}
    plans = {p["code"]: p for p in load("plans.yaml", "plans")}
    updates: list[list[str]] = []
    for code in (FS, LSCB, SLAC):
        for action in plans[code]["actions"]:
            story = STORIES[(code, str(action["ref"]))]
            updates.extend(action_rows(code, action, story, figures, rng))
    missing = {(c, str(a["ref"])) for c in (FS, LSCB, SLAC) for a in plans[c]["actions"]} - set(STORIES)
    if missing:
        raise SystemExit(f"no story for {sorted(missing)}")
    write(
        OUT / "action_updates.csv",
        ["plan", "action_ref", "period_end", "status", "rag", "commentary", "reported_by"],
        updates,
    )
    write(OUT / "kpi_monthly.csv", ["ref", "authority", "month", "value", "target", "commentary"], monthly)
    print(f"wrote {len(updates)} action updates and {len(monthly)} monthly KPI values to {OUT}")


if __name__ == "__main__":
    main()
