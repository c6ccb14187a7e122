"""Read models: one Streamlit-free module per subject, the only place each rule lives.

Every page, the board agenda, what-changed, snapshots, every pack and the command line
read through these modules, so they cannot disagree:

- :mod:`lib.read.base` — the stored settings every view starts from (our authority, as-at date);
- :mod:`lib.read.programme` — plans, recommendations, actions, which actions answer which
  recommendation, and the current programme;
- :mod:`lib.read.kpis` — KPI values with derived RAG and direction;
- :mod:`lib.read.benchmarks` — benchmarks aligned by period and unit;
- :mod:`lib.read.judgements` — Ofsted judgements, the grid over time and comparisons;
- :mod:`lib.read.authorities` — the authority crosswalk and statistical neighbours.
"""
