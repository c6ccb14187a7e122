"""Rebuild the shipped reference CSVs from the public source files.

Run by developers when a source is refreshed, never by the app:

    .venv/bin/python reference_data/build_reference.py [SOURCE_DIR] [--out DIR]

SOURCE_DIR defaults to ``../shared/reference-data`` relative to the project root and must hold
the folders listed in ``LICENCE.md`` (``ofsted-ilacs-scrape-tool``, ``local-authority-interactive-tool``,
``CSC_outcomes_and_enablers``). Output goes next to this script unless ``--out`` says otherwise.

The build is deterministic: rows are sorted on their natural keys, columns have a fixed order and
floats are rounded, so an unchanged source gives byte-identical CSVs. Reading the Ofsted ``.ods``
file needs ``odfpy`` (pandas' ``odf`` engine); the LAIT file needs ``pyarrow``.

Which authorities exist is decided by one source only: the 153 rows of the Ofsted sheet
``Inspections_as_at_31_March``. Codes that appear elsewhere (old inspections, statistical neighbour
"Old SNs", DfE statistics) but are not in that list go to ``retired_local_authorities.csv``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent
DEFAULT_SOURCE = PROJECT_ROOT.parent / "shared" / "reference-data"

ILACS_DIR = "ofsted-ilacs-scrape-tool"
LAIT_DIR = "local-authority-interactive-tool"
CSC_DIR = "CSC_outcomes_and_enablers"
ODS_NAME = "LA_Inspection_Outcomes_as_at_31_March_2025.ods"

# --- Hand-maintained facts -------------------------------------------------------------------
# Local government reorganisations behind the retired codes: (ceased on, replaced by).
RETIRED_FACTS: dict[str, tuple[str, str]] = {
    "835": ("2019-04-01", "838"),  # Dorset (county) -> Dorset Council (unitary)
    "836": ("2019-04-01", "839"),  # Poole -> Bournemouth, Christchurch and Poole
    "837": ("2019-04-01", "839"),  # Bournemouth -> Bournemouth, Christchurch and Poole
    "928": ("2021-04-01", "940|941"),  # Northamptonshire -> North / West Northamptonshire
    "909": ("2023-04-01", "942|943"),  # Cumbria -> Cumberland / Westmorland and Furness
}

# ONS area-code prefix -> type of authority.
LA_TYPES = {
    "E06": "Unitary Authority",
    "E08": "Metropolitan District",
    "E09": "London Borough",
    "E10": "County",
}

# LAIT area numbers for England, the regions and the two London sub-regions -> ONS/DfE names.
LAIT_AREAS = {
    970: ("england", "England", "E92000001"),
    980: ("region", "North East", "E12000001"),
    981: ("region", "North West", "E12000002"),
    982: ("region", "Yorkshire and The Humber", "E12000003"),
    983: ("region", "East Midlands", "E12000004"),
    984: ("region", "West Midlands", "E12000005"),
    985: ("region", "East of England", "E12000006"),
    986: ("region", "London", "E12000007"),
    987: ("region", "Inner London", "E13000001"),
    988: ("region", "Outer London", "E13000002"),
    989: ("region", "South East", "E12000008"),
    990: ("region", "South West", "E12000009"),
}

# ILACS sub-judgements (as published from 2023) in display order.
ILACS_AREAS = [
    "Overall effectiveness",
    "The experiences and progress of children who need help and protection",
    "The experiences and progress of children in care",
    "The experiences and progress of care leavers",
    "The impact of leaders on social work practice with children and families",
]
CARE_LEAVERS_FROM = pd.Timestamp("2023-01-01")
CIC_PRE_2023 = "The experiences and progress of children in care and care leavers"

# Judgement-area crosswalk: framework, area pattern (normalised wording), key, label, sort.
# Patterns are compared after lib.reference.normalise_area_text: lower case, single spaces, a leading
# "2.1 " / "1. " number and trailing " .:;" removed. Keep them lower case with straight apostrophes.
AREA_LABELS = {
    "overall": ("Overall effectiveness", 10),
    "help_protection": ("Children who need help and protection", 20),
    "children_in_care": ("Children in care", 30),
    "adoption": ("Adoption performance", 40),
    "care_leavers": ("Care leavers", 50),
    "leadership": ("Leadership", 60),
    "lscb": ("Local Safeguarding Children Board", 70),
    "slac_capacity": ("Capacity for improvement", 110),
    "slac_outcomes": ("Outcomes (heading)", 115),
    "slac_safe": ("Children and young people are safe and feel safe", 120),
    "slac_healthy": ("Being healthy", 130),
    "slac_staying_safe": ("Staying safe", 140),
    "slac_enjoying": ("Enjoying and achieving", 150),
    "slac_contribution": ("Making a positive contribution", 160),
    "slac_economic": ("Economic well-being", 170),
    "slac_quality": ("Quality of provision", 180),
    "slac_health": ("Contribution of health agencies to keeping children safe", 190),
    "slac_ambition": ("Ambition and prioritisation", 200),
    "slac_leadership": ("Leadership and management", 210),
    "slac_performance": ("Performance management and quality assurance", 220),
    "slac_partnership": ("Partnership working", 230),
    "slac_equality": ("Equality and diversity", 240),
}
_OLAC = "outcomes for looked after children and care leavers: "
AREA_PATTERNS: dict[str, dict[str, list[str]]] = {
    "ilacs": {
        "overall": ["overall effectiveness"],
        "help_protection": [
            "the experiences and progress of children who need help and protection",
            "experiences and progress of children who need help and protection",
        ],
        "children_in_care": [
            "the experiences and progress of children in care",
            "experiences and progress of children in care",
            "the experiences and progress of children in care and care leavers",
            "experiences and progress of children in care and care leavers",
        ],
        "care_leavers": [
            "the experiences and progress of care leavers",
            "experiences and progress of care leavers",
        ],
        "leadership": [
            "the impact of leaders on social work practice with children and families",
            "impact of leaders on social work practice with children and families",
        ],
    },
    "sif": {
        "overall": ["overall effectiveness"],
        "help_protection": [
            "children who need help and protection",
            "the experiences and progress of children who need help and protection",
        ],
        "children_in_care": [
            "children looked after and achieving permanence",
            "the experiences and progress of children looked after and achieving permanence",
        ],
        "adoption": ["adoption performance"],
        "care_leavers": [
            "experiences and progress of care leavers",
            "the experiences and progress of care leavers",
        ],
        "leadership": ["leadership, management and governance"],
    },
    "lscb_review": {
        "lscb": [
            "local safeguarding children board",
            "the local safeguarding children board",
            "review of the local safeguarding children board",
            "the effectiveness of the local safeguarding children board",
        ],
    },
    "slac": {
        "overall": [
            "overall effectiveness",
            "safeguarding (overall)",
            "outcomes for looked after children (overall)",
            "services for children looked after",
            "services for looked after children",
        ],
        "slac_capacity": ["capacity for improvement"],
        "slac_outcomes": [
            "safeguarding outcomes for children and young people",
            "how good are outcomes for looked after children and care leavers?",
            "outcomes for looked after children and care leavers",
        ],
        "slac_safe": ["children and young people are safe and feel safe"],
        "slac_healthy": ["being healthy", _OLAC + "being healthy"],
        "slac_staying_safe": ["staying safe", _OLAC + "staying safe"],
        "slac_enjoying": ["enjoying and achieving", _OLAC + "enjoying and achieving"],
        "slac_contribution": [
            "making a positive contribution, including user engagement",
            "making and positive contribution, including user engagement",  # sic, B&NES 2012
            "making a positive contribution",
            _OLAC + "making a positive contribution, including user engagement",
            _OLAC + "making and positive contribution, including user engagement",
        ],
        "slac_economic": [
            "economic well-being",
            "economic wellbeing",
            _OLAC + "economic well-being",
            _OLAC + "economic wellbeing",
        ],
        "slac_quality": [
            "quality of provision",
            "overall quality of provision",
            "the quality of provision for safeguarding",
            "the quality of provision for looked after children",
        ],
        "slac_health": ["the contribution of health agencies to keeping children and young people safe"],
        "slac_ambition": ["ambition and prioritisation"],
        "slac_leadership": ["leadership and management"],
        "slac_performance": ["performance management and quality assurance"],
        "slac_partnership": ["partnership working"],
        "slac_equality": ["equality and diversity"],
    },
    "annual_assessment": {
        "overall": [
            "annual assessment",
            "annual performance assessment",
            "annual assessment of children's services",
            "annual assessment of barnet's children's service",
        ],
    },
}

# Notes shared by the monthly illustrative KPIs (DU-*), for which LAIT only gives annual context.
_MONTHLY_NOTE = " Annual figure (year ending 31 March): context for a monthly KPI."
_WORKFORCE_NOTE = (
    " Annual figure: context for a monthly KPI. Kingston/Richmond and North/West Northamptonshire make"
    " joint returns, so each pair shows the same value; Kensington and Chelsea and Westminster have no"
    " 2025 figure."
)

# Product KPI -> LAIT measure (Measure_short, the key used in bds_long), confidence, note.
KPI_LAIT_MAP: list[tuple[str, str, str, str]] = [
    (
        "FS/S4",
        "CPP_Total_Rateper10,000",
        "high",
        "Referrals to children's social care per 10,000 children aged under 18 (CIN census).",
    ),
    ("FS/S16", "LAC", "high", "Children looked after at 31 March per 10,000 children aged under 18."),
    (
        "FS/S15",
        "CareLeaverEET",
        "high",
        "Care leavers aged 19-21 in education, employment or training (%), year ending 31 March.",
    ),
    ("FS/S18", "CareLeaverAcc", "high", "Care leavers aged 19-21 in suitable accommodation (%)."),
    (
        "FS/S2",
        "PrevRegCPR",
        "high",
        "Children becoming the subject of a CP plan for a second or subsequent time (%).",
    ),
    (
        "FS/C18",
        "LACStable_2016on",
        "high",
        "CLA at 31 March with three or more placements during the year (%).",
    ),
    (
        "FS/S3",
        "CPPlans2yrsActive",
        "low",
        "KPI is a NUMBER of children on a plan for 2+ years at 31 March; LAIT holds only percentages "
        "(this one: % of children on a plan during the year who had been on it 2+ years). Alternative: "
        "CPPlans2yrs (% of plans ceasing in the year that lasted 2+ years). A count at 31 March is in the "
        "DfE file d5_cpps_at31march_by_duration (column 2_years_or_more), not in LAIT.",
    ),
    (
        "FS/C14",
        "FirstYJS",
        "medium",
        "First-time entrants to the youth justice system aged 10-17, rate per 100,000 (calendar year). "
        "The seed KPI says 'per 10,000' but its values (226-395) are on the per-100,000 scale; its "
        "period (Oct-Sep) also differs from LAIT's calendar year.",
    ),
    (
        "CES/S18-1",
        "16-17 NEET",
        "medium",
        "KPI is 16-18 NEET (%); DfE replaced the 16-18 measure with 16-17 year olds in 2016, so LAIT "
        "holds 16-17 NEET (%), December-February average.",
    ),
    (
        "CES/S18-2",
        "16-17_not known_NEET",
        "medium",
        "KPI is 16-18 NEET or not known (%); LAIT holds the 16-17 measure.",
    ),
    ("CES/S13-1", "AVG_Attain8_Score", "high", "Average Attainment 8 score per pupil (state-funded)."),
    ("CES/S13-2", "AVG_Prog8_Score", "high", "Average Progress 8 score per pupil."),
    (
        "CES/S15",
        "LAC_KS4_AVG_Attain8",
        "high",
        "Average Attainment 8 score of children looked after continuously for 12 months+.",
    ),
    ("CES/S16", "LAC_KS4_AVG_Prog8", "high", "Average Progress 8 score of children looked after."),
    (
        "FS/S6",
        "LAC_Foster_Placements",
        "high",
        "CLA at 31 March placed in foster care (%); LAIT series starts 2020.",
    ),
    (
        "DU-REREF",
        "ReReferral",
        "high",
        "Re-referrals within 12 months of a previous referral (%)." + _MONTHLY_NOTE,
    ),
    (
        "DU-TURNOVER",
        "Work_Force_TO_Rate",
        "high",
        "Children and family social worker turnover rate (%), FTE, year to 30 September." + _WORKFORCE_NOTE,
    ),
    (
        "DU-AGENCY",
        "Work_Force_Agecy_Rate",
        "high",
        "Agency social workers (%), FTE, at 30 September." + _WORKFORCE_NOTE,
    ),
    (
        "DU-CASELOAD",
        "Work_Force_AvgNumCase_SW",
        "high",
        "Average caseload per FTE children and family social worker at 30 September." + _WORKFORCE_NOTE,
    ),
    (
        "DU-ASSESS45",
        "Continue_Assess_Comp",
        "high",
        "Continuous (single) assessments completed within 45 working days (%)." + _MONTHLY_NOTE,
    ),
]


# --- Helpers ----------------------------------------------------------------------------------
def _clean(value: object) -> str:
    """Trimmed text, or '' for missing values."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return " ".join(str(value).split())


def _iso(value: object) -> str:
    """An ISO date (YYYY-MM-DD) or ''."""
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).date().isoformat()


def _code(value: object) -> str:
    """A 3-digit old LA number as text ('' when missing)."""
    text = _clean(value)
    if not text:
        return ""
    return str(int(float(text))).zfill(3)


def _write(df: pd.DataFrame, out: Path, name: str) -> None:
    df.to_csv(out / name, index=False, lineterminator="\n", encoding="utf-8")
    print(f"wrote {name}: {len(df)} rows")


def _read_ods(src: Path, sheet: str) -> pd.DataFrame:
    """One table of the Ofsted ODS file: a title, a note, then the header on row 3."""
    return pd.read_excel(src / CSC_DIR / ODS_NAME, engine="odf", sheet_name=sheet, header=2)


# --- Authorities and regions ------------------------------------------------------------------
def dfe_codes(src: Path) -> pd.DataFrame:
    """Every (old LA number, ONS code, name, region) pair in the DfE CIN referrals file, newest first."""
    df = pd.read_csv(
        src / CSC_DIR / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", dtype=str
    )
    df = df[df["geographic_level"] == "Local authority"]
    cols = ["time_period", "old_la_code", "new_la_code", "la_name", "region_code", "region_name"]
    df = df[cols].drop_duplicates(["old_la_code", "new_la_code"])
    return df.sort_values(["old_la_code", "time_period"], ascending=[True, False]).reset_index(drop=True)


def build_regions(latest: pd.DataFrame) -> pd.DataFrame:
    """ONS regions (plus Inner/Outer London as used by DfE and LAIT) and Ofsted's eight regions."""
    rows = []
    for number, (kind, name, code) in sorted(LAIT_AREAS.items()):
        if kind == "england":
            continue
        rows.append(
            {
                "region_code": code,
                "region_name": name,
                "kind": "london_subregion" if code.startswith("E13") else "region",
                "lait_area_number": str(number),
                "sort": len(rows) + 1,
            }
        )
    for name in sorted(latest["Ofsted region"].dropna().unique()):
        slug = "-".join(name.lower().replace(",", " ").split())
        rows.append(
            {
                "region_code": f"ofsted-{slug}",
                "region_name": name,
                "kind": "ofsted_region",
                "lait_area_number": "",
                "sort": len(rows) + 1,
            }
        )
    return pd.DataFrame(rows)


def build_authorities(src: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The 153 current authorities, the retired ones still met in historical rows, and the regions."""
    latest = _read_ods(src, "Inspections_as_at_31_March")
    history = _read_ods(src, "ILACS_inspection_history")
    lookup = pd.read_csv(src / ILACS_DIR / "Provider_data_lookup.csv", dtype=str, encoding="utf-8-sig")
    lait = pd.read_excel(src / LAIT_DIR / "la_code_list.xlsx", engine="openpyxl", dtype=str)
    lait.columns = ["la_code", "lait_name", "lait_region", "lait_type"]
    lait["la_code"] = lait["la_code"].map(_code)
    dfe = dfe_codes(src)
    region_names = {code: name for _, name, code in LAIT_AREAS.values()}

    cur = latest.rename(
        columns={
            "Local authority area code": "ecode",
            "Local authority name": "ofsted_name",
            "Ofsted region": "ofsted_region",
        }
    )[["ecode", "ofsted_name", "ofsted_region"]]
    lookup_current = lookup[lookup["la_code_new"].notna()]
    cur = cur.merge(lookup_current, left_on="ecode", right_on="la_code_new", how="left", validate="1:1")
    missing = cur[cur["la_code"].isna()]
    if not missing.empty:
        raise SystemExit(f"no LA number for {missing['ecode'].tolist()} in Provider_data_lookup.csv")
    cur["la_code"] = cur["la_code"].map(_code)
    cur = cur.merge(lait, on="la_code", how="left", validate="1:1")

    # Region from the newest DfE row for the LA number. DfE files put London boroughs in Inner/Outer
    # London (E13...), which roll up to London. The lookup's rgn22cd column has slips (Gloucestershire
    # is coded as Yorkshire) and is not used; the lookup's region name serves as a cross-check.
    newest = dfe.drop_duplicates("old_la_code").set_index("old_la_code")["region_code"]
    cur["dfe_region_code"] = [
        "E12000007" if code.startswith("E13") else code for code in cur["la_code"].map(newest)
    ]
    cur["dfe_region"] = cur["dfe_region_code"].map(region_names)
    clash = cur[cur["dfe_region"].str.lower() != cur["region_name"].str.lower()]
    if not clash.empty:
        raise SystemExit(f"region differs between DfE and the lookup for {clash['la_code'].tolist()}")
    # Earlier ONS codes of the same LA number (e.g. North Yorkshire E10000023 before 2023).
    previous = dfe.groupby("old_la_code")["new_la_code"].apply(lambda s: sorted(set(s))).to_dict()
    current = pd.DataFrame(
        {
            "la_code": cur["la_code"],
            "name": cur["local_authority_ons_name"].map(_clean),
            "ecode": cur["ecode"],
            "region": cur["dfe_region"],
            "region_code": cur["dfe_region_code"],
            "london_subregion": cur["lait_region"].where(
                cur["lait_region"].str.contains("London", na=False), ""
            ),
            "ofsted_region": cur["ofsted_region"],
            "la_type": cur["ecode"].str[:3].map(LA_TYPES),
            "ofsted_urn": cur["urn"].map(_clean),
            "ofsted_name": cur["ofsted_name"].map(_clean),
            "lait_name": cur["lait_name"].map(_clean),
            "previous_ecodes": [
                "|".join(c for c in previous.get(code, []) if c != ecode)
                for code, ecode in zip(cur["la_code"], cur["ecode"], strict=True)
            ],
        }
    )
    if len(current) != 153 or current["la_code"].duplicated().any() or current.isna().any().any():
        raise SystemExit("the current authority list is not 153 complete, unique rows")

    # Retired: codes in RETIRED_FACTS, with details from the DfE file, Ofsted history and the lookup.
    ofsted_hist = history[history["Local authority status"] != "Current"]
    ofsted_by_ecode = ofsted_hist.drop_duplicates("Local authority area code").set_index(
        "Local authority area code"
    )
    urns = {_code(c): u for c, u in zip(lookup["la_code"], lookup["urn"], strict=True)}
    lait_names = dict(zip(lait["la_code"], lait["lait_name"], strict=True))
    retired_rows = []
    for code, (ceased, replaced_by) in sorted(RETIRED_FACTS.items()):
        rec = dfe[dfe["old_la_code"] == code].iloc[0]  # newest row for the code
        ecode = rec["new_la_code"]
        ofsted = ofsted_by_ecode.loc[ecode] if ecode in ofsted_by_ecode.index else None
        successor = current.set_index("la_code").loc[replaced_by.split("|")[0]]
        retired_rows.append(
            {
                "la_code": code,
                "name": rec["la_name"],
                "ecode": ecode,
                "region": region_names[rec["region_code"]],
                "region_code": rec["region_code"],
                "london_subregion": "",
                "ofsted_region": ofsted["Ofsted region"]
                if ofsted is not None
                else successor["ofsted_region"],
                "la_type": LA_TYPES[ecode[:3]],
                "ofsted_urn": urns.get(code, ""),
                "ofsted_name": _clean(ofsted["Local authority name"]) if ofsted is not None else "",
                "lait_name": lait_names.get(code, ""),
                "ceased": ceased,
                "replaced_by": replaced_by,
            }
        )
    retired = pd.DataFrame(retired_rows)
    regions = build_regions(latest)
    return current.sort_values("la_code").reset_index(drop=True), retired, regions


# --- Statistical neighbours -------------------------------------------------------------------
def _closeness(text: object) -> str:
    """'Very Close' / 'Not Close' -> 'Very close' / 'Not close' (the files mix capitals)."""
    text = _clean(text)
    return text[:1].upper() + text[1:].lower() if text else ""


def read_sn_sheet(path: Path) -> pd.DataFrame:
    """LAIT's SN workbook: three header rows, then LA num, name, ..., SN1, SNP, ... SN10, SNP."""
    raw = pd.read_excel(path, engine="openpyxl", header=None, dtype=str)
    rows = []
    for _, rec in raw.iloc[3:].iterrows():
        code = _clean(rec.iloc[0])
        if not code.isdigit():
            continue  # blank separator rows and the "Old SNs:" label
        if not _clean(rec.iloc[5]).isdigit():
            continue  # no groupings published (2021 set: Cumberland, Westmorland and Furness show "-")
        for rank in range(1, 11):
            rows.append(
                {
                    "la_code": _code(code),
                    "rank": rank,
                    "neighbour_code": _code(rec.iloc[5 + 2 * (rank - 1)]),
                    "closeness": _closeness(rec.iloc[6 + 2 * (rank - 1)]),
                }
            )
    return pd.DataFrame(rows)


def build_neighbours(src: Path) -> pd.DataFrame:
    sets = {
        "2021": read_sn_sheet(src / LAIT_DIR / "sn_april_2021.xlsx"),
        "2025": read_sn_sheet(src / LAIT_DIR / "sn_may_2025.xlsx"),
    }
    # Cross-check the 2021 workbook against DfE's CSV copy of the same groupings.
    csv_path = src / CSC_DIR / "New_Statistical_Neighbour_Groupings_April_2021.csv"
    if csv_path.exists():
        alt = pd.read_csv(csv_path, dtype=str, encoding="utf-8-sig", header=None, skiprows=1)
        alt_pairs = {
            (_code(r.iloc[0]), rank, _code(r.iloc[5 + 2 * (rank - 1)]))
            for _, r in alt.iterrows()
            if _clean(r.iloc[0]).isdigit()
            for rank in range(1, 11)
        }
        ours = set(
            zip(sets["2021"]["la_code"], sets["2021"]["rank"], sets["2021"]["neighbour_code"], strict=True)
        )
        if ours - alt_pairs:
            print(f"note: {len(ours - alt_pairs)} 2021 SN rows differ from the DfE CSV copy", file=sys.stderr)
    frames = [df.assign(set=name) for name, df in sets.items()]
    out = pd.concat(frames, ignore_index=True)[["la_code", "set", "rank", "neighbour_code", "closeness"]]
    if (out.groupby(["la_code", "set"]).size() != 10).any():
        raise SystemExit("every LA must have exactly 10 neighbours per set")
    return out.sort_values(["set", "la_code", "rank"]).reset_index(drop=True)


# --- Ofsted outcomes and visits ---------------------------------------------------------------
def _code_by_ecode(current: pd.DataFrame, retired: pd.DataFrame) -> dict[str, str]:
    table: dict[str, str] = {}
    for df in (current, retired):
        for code, ecode in zip(df["la_code"], df["ecode"], strict=True):
            table[ecode] = code
    for code, prev in zip(current["la_code"], current["previous_ecodes"], strict=True):
        for ecode in filter(None, prev.split("|")):
            table.setdefault(ecode, code)
    return table


def _judgement_rows(
    df: pd.DataFrame, sheet: str, codes: dict[str, str], date_col: str, type_col: str | None
) -> Iterable[dict[str, str]]:
    for _, rec in df.iterrows():
        ecode = rec["Local authority area code"]
        if ecode not in codes:
            raise SystemExit(f"{sheet}: unknown area code {ecode}")
        start = pd.Timestamp(rec[date_col])
        for area in ILACS_AREAS:
            grade = _clean(rec.get(area))
            if not grade:
                continue
            as_inspected = CIC_PRE_2023 if (start < CARE_LEAVERS_FROM and area == ILACS_AREAS[2]) else area
            yield {
                "la_code": codes[ecode],
                "la_name": _clean(rec["Local authority name"]),
                "inspection_type": _clean(rec[type_col]) if type_col else "",
                "framework": "ilacs",
                "start_date": _iso(start),
                "end_date": "",
                "published_date": _iso(rec["Publication date"]),
                "area": area,
                "area_as_inspected": as_inspected,
                "grade": grade,
                "source_sheet": sheet,
            }


def build_ofsted(
    src: Path, current: pd.DataFrame, retired: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long-format ILACS judgements (history, latest, in-year) and the ungraded in-year visits."""
    codes = _code_by_ecode(current, retired)
    history = _read_ods(src, "ILACS_inspection_history")
    latest = _read_ods(src, "Inspections_as_at_31_March")
    in_year = _read_ods(src, "In-year_inspections")
    graded = in_year[in_year["Inspection/Visit type"].str.contains("Inspection", case=False)]

    rows = [
        *_judgement_rows(history, "ILACS_inspection_history", codes, "Inspection date", "Inspection type"),
        *_judgement_rows(latest, "Inspections_as_at_31_March", codes, "Inspection date", None),
        *_judgement_rows(
            graded, "In-year_inspections", codes, "Inspection/Visit date", "Inspection/Visit type"
        ),
    ]
    df = pd.DataFrame(rows)
    key = ["la_code", "start_date", "area"]
    # Same judgement in two sheets must agree on the grade.
    clash = df.groupby(key)["grade"].nunique()
    if (clash > 1).any():
        raise SystemExit(f"grades disagree between sheets: {clash[clash > 1].index.tolist()[:5]}")
    # Inspection type is only published in the history and in-year sheets: fill it for latest-only rows.
    types = df[df["inspection_type"] != ""].drop_duplicates(["la_code", "start_date"])
    type_map = dict(
        zip(zip(types["la_code"], types["start_date"], strict=True), types["inspection_type"], strict=True)
    )
    df["inspection_type"] = [
        t or type_map.get((c, s), "")
        for c, s, t in zip(df["la_code"], df["start_date"], df["inspection_type"], strict=True)
    ]
    df = df.drop_duplicates(key, keep="first")  # history wins, then latest, then in-year
    area_order = {a: i for i, a in enumerate(ILACS_AREAS)}
    df = (
        df.assign(_o=df["area"].map(area_order))
        .sort_values(["la_code", "start_date", "_o"])
        .drop(columns="_o")
    )

    visits = in_year[~in_year.index.isin(graded.index)]
    kinds = {"ilacs focused visit": "focused_visit", "la monitoring visit": "monitoring_visit"}
    visit_rows = []
    for _, rec in visits.iterrows():
        vtype = _clean(rec["Inspection/Visit type"])
        if vtype.lower() not in kinds:
            raise SystemExit(f"unexpected visit type {vtype!r}")
        visit_rows.append(
            {
                "la_code": codes[rec["Local authority area code"]],
                "la_name": _clean(rec["Local authority name"]),
                "visit_type": vtype,
                "framework": kinds[vtype.lower()],
                "start_date": _iso(rec["Inspection/Visit date"]),
                "end_date": "",
                "published_date": _iso(rec["Publication date"]),
                "theme": _clean(rec["Visit Theme"]),
            }
        )
    out_visits = pd.DataFrame(visit_rows).sort_values(["la_code", "start_date", "framework"])
    return df.reset_index(drop=True), out_visits.reset_index(drop=True)


# --- Judgement-area crosswalk -----------------------------------------------------------------
def build_judgement_areas() -> pd.DataFrame:
    rows = []
    for framework, keys in AREA_PATTERNS.items():
        for key, patterns in keys.items():
            label, sort = AREA_LABELS[key]
            for pattern in patterns:
                rows.append(
                    {
                        "framework": framework,
                        "area_pattern": pattern,
                        "area_key": key,
                        "area_label": label,
                        "sort": sort,
                    }
                )
    df = pd.DataFrame(rows)
    if df.duplicated(["framework", "area_pattern"]).any():
        raise SystemExit("duplicate crosswalk pattern")
    return df


# --- LAIT benchmarks --------------------------------------------------------------------------
def build_lait(src: Path, current: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    dictionary = pd.read_csv(src / LAIT_DIR / "lait_data_dictionary.csv", encoding="latin-1", dtype=str)
    dictionary = dictionary.drop_duplicates("Measure_short")  # absence measures sit under two topics
    wanted = [m for _, m, _, _ in KPI_LAIT_MAP]
    meta = dictionary.set_index("Measure_short").loc[wanted]

    measures = pd.DataFrame(
        {
            "code": wanted,
            "dictionary_table_code": [_clean(v) for v in meta["Measure_code"]],
            "topic": [_clean(v) for v in meta["Topic"]],
            "measure": [_clean(v) for v in meta["Measure"]],
            "chart_title": [_clean(v) for v in meta["Chart_title"]],
            "polarity": [_clean(v) or "-" for v in meta["Polarity"]],
            "y_axis_name": [_clean(v) for v in meta["y_axis_name"]],
            "year_type": [_clean(v) for v in meta["Year_Type"]],
            "dps": [_clean(v) for v in meta["dps"]],
            "source": [_clean(v) for v in meta["Data Owner (DO) /Supplier and Contact Details"]],
            "source_table": [_clean(v) for v in meta["Table_status"]],
            "link": [_clean(v) for v in meta["Hyperlink(s)"]],
        }
    ).drop_duplicates("code")
    kpi_map = pd.DataFrame(KPI_LAIT_MAP, columns=["kpi_ref", "lait_measure_code", "confidence", "note"])

    data = pd.read_parquet(
        src / LAIT_DIR / "bds_long_0.parquet",
        columns=["Short Desc", "Years", "LA and Regions", "Values", "LA Number"],
    )
    data = data[data["Short Desc"].isin(wanted)].copy()
    data["value"] = pd.to_numeric(data["Values"], errors="coerce")
    data = data[data["value"].notna() & data["LA Number"].notna()]  # '-' marks suppressed / not available
    number = data["LA Number"].astype(int)
    la_codes = set(current["la_code"])
    area_type, area_code = [], []
    for n in number:
        if n in LAIT_AREAS:
            area_type.append(LAIT_AREAS[n][0])
            area_code.append(LAIT_AREAS[n][1])
        else:
            code = str(n).zfill(3)
            area_type.append("la" if code in la_codes else "retired_la")
            area_code.append(code)
    data["area_type"], data["area_code"] = area_type, area_code
    data = data[data["area_type"] != "retired_la"]

    by_code = measures.set_index("code")
    kpi_of = dict(zip(kpi_map["lait_measure_code"], kpi_map["kpi_ref"], strict=True))
    out = pd.DataFrame(
        {
            "kpi_ref": data["Short Desc"].map(kpi_of),
            "lait_measure_code": data["Short Desc"],
            "lait_measure": data["Short Desc"].map(by_code["measure"]),
            "area_type": data["area_type"],
            "area_code": data["area_code"],
            "area_name": data["LA and Regions"].map(_clean),
            "year_label": data["Years"].map(_clean),
            "year_type": data["Short Desc"].map(by_code["year_type"]),
            "value": data["value"].round(4),
            "polarity": data["Short Desc"].map(by_code["polarity"]),
            "unit_label": data["Short Desc"].map(by_code["y_axis_name"]),
        }
    )
    type_order = {"england": 0, "region": 1, "la": 2}
    out = (
        out.assign(_t=out["area_type"].map(type_order))
        .sort_values(["kpi_ref", "_t", "area_code", "year_label"])
        .drop(columns="_t")
    )
    if out.duplicated(["kpi_ref", "area_code", "year_label"]).any():
        raise SystemExit("LAIT holds two values for one measure, area and year")
    return out.reset_index(drop=True), measures, kpi_map


# --- Entry point ------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE, help="reference-data folder")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: next to this script)")
    args = parser.parse_args(argv)
    src: Path = args.source.resolve()
    out: Path = args.out.resolve()
    for folder in (ILACS_DIR, LAIT_DIR, CSC_DIR):
        if not (src / folder).is_dir():
            parser.error(f"{src / folder} not found")
    out.mkdir(parents=True, exist_ok=True)

    current, retired, regions = build_authorities(src)
    _write(current, out, "local_authorities.csv")
    _write(retired, out, "retired_local_authorities.csv")
    _write(regions, out, "regions.csv")
    neighbours = build_neighbours(src)
    unknown = (
        (set(neighbours["la_code"]) | set(neighbours["neighbour_code"]))
        - set(current["la_code"])
        - set(retired["la_code"])
    )
    if unknown:
        raise SystemExit(f"statistical neighbour codes not in either authority list: {sorted(unknown)}")
    _write(neighbours, out, "statistical_neighbours.csv")
    outcomes, visits = build_ofsted(src, current, retired)
    _write(outcomes, out, "ofsted_outcomes.csv")
    _write(visits, out, "ofsted_visits.csv")
    _write(build_judgement_areas(), out, "judgement_areas.csv")
    benchmarks, measures, kpi_map = build_lait(src, current)
    _write(benchmarks, out, "lait_benchmarks.csv")
    _write(measures, out, "lait_measures.csv")
    _write(kpi_map, out, "kpi_lait_map.csv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
