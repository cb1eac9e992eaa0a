"""Risk of bias: the JBI checklists, the paper's rating rule, appraisal files and their plots.

The paper appraised each study with the Joanna Briggs Institute checklist for its design
(``data/vocabularies/jbi_questions.csv``: case reports 8 questions, case series 10,
randomised controlled trials 13) and rated it

- **low** risk of bias when more than 75% of the questions are answered "yes",
- **high** when fewer than 50% are,
- **moderate** otherwise.

The paper does not say how "not applicable" counts. Here a question that does not apply
is left out of the denominator: it can neither raise nor lower a study's share of "yes"
(:func:`rate`). The thresholds are strict, as the paper words them: exactly 75% is
moderate, exactly 50% is moderate.

The per-study appraisals are in the paper's supplement, which is not available, so the
project ships none. A reviewer who has them (or makes them) writes an appraisal file,
one row per study and question, and passes its path to notebook 02.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import escape, style
from .errors import DataValidationError, Problem
from .loader import Review

ANSWERS = ("yes", "no", "unclear", "not_applicable")
#: Share of "yes" above which a study is at low risk of bias (strictly above).
LOW_ABOVE = 0.75
#: Share of "yes" below which a study is at high risk of bias (strictly below).
HIGH_BELOW = 0.50
RATINGS = ("low", "moderate", "high")
#: The checklist for each study design.
CHECKLIST_FOR_DESIGN = {
    "case_report": "case_report",
    "case_series": "case_series",
    "controlled_trial": "controlled_trial",
}
APPRAISAL_COLUMNS = ("ref", "question", "answer")
ANSWER_COLOURS = {
    "yes": style.OKABE_ITO["green"],
    "no": style.OKABE_ITO["vermillion"],
    "unclear": style.OKABE_ITO["yellow"],
    "not_applicable": "#DDDDDD",
}
RATING_COLOURS = {
    "low": style.OKABE_ITO["green"],
    "moderate": style.OKABE_ITO["yellow"],
    "high": style.OKABE_ITO["vermillion"],
}


def questions(review: Review) -> pd.DataFrame:
    """The JBI checklist questions, indexed by (checklist, question)."""
    return review.jbi_questions


def rating(share_yes: float) -> str:
    """The paper's rule: low above 75% "yes", high below 50%, moderate otherwise."""
    if share_yes > LOW_ABOVE:
        return "low"
    if share_yes < HIGH_BELOW:
        return "high"
    return "moderate"


def load_appraisals(path: Path | str, review: Review) -> pd.DataFrame:
    """Read and check an appraisal file: ``ref,question,answer`` (and optionally ``note``).

    Every row names an included study, a question of that study's checklist and one of
    :data:`ANSWERS`; every appraised study answers each question of its checklist exactly
    once.

    Raises
    ------
    DataValidationError
        Naming file, row, study and column of every problem.
    """
    from .readers import MAX_TABLE_BYTES, read_csv, read_text
    from .values import cell_problem, text_problem

    path = Path(path)
    name = path.name
    text, problem = read_text(path, name, MAX_TABLE_BYTES)
    if problem:
        raise DataValidationError([problem], source="appraisals")
    table, problems = read_csv(text, name)
    if table is None or problems:
        raise DataValidationError(problems, source="appraisals")
    missing = [c for c in APPRAISAL_COLUMNS if c not in table.header]
    unknown = [c for c in table.header if c not in APPRAISAL_COLUMNS + ("note",)]
    repeated = [c for c in dict.fromkeys(table.header) if table.header.count(c) > 1]
    if missing or unknown or repeated or not table.rows:
        what = (
            f"column {missing[0]!r} is missing"
            if missing
            else f"column {unknown[0]!r} is not one of {', '.join(APPRAISAL_COLUMNS + ('note',))}"
            if unknown
            else f"column {repeated[0]!r} appears more than once"
            if repeated
            else "the file has no rows"
        )
        raise DataValidationError(
            [
                Problem(
                    name,
                    "columns",
                    f"needs a header with {', '.join(APPRAISAL_COLUMNS)} and rows: {what}",
                    row=1,
                    column=(missing or unknown or repeated or [None])[0],
                )
            ],
            source="appraisals",
        )
    rows = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        if len(cells) != len(table.header):
            problems.append(
                Problem(
                    name,
                    "row as long as the header",
                    f"row has {len(cells)} cells, the header {len(table.header)} columns",
                    number,
                )
            )
            continue
        r = dict(zip(table.header, cells, strict=True))
        dirty = next(((c, text_problem(v)) for c, v in r.items() if text_problem(v)), None)
        if dirty:
            problems.append(Problem(name, "clean text", f"value {dirty[1]}", number, None, dirty[0]))
            continue
        rows.append((number, r))
    qs = questions(review)
    design = review.studies["design"]
    seen, clean = set(), []
    for i, r in rows:
        ref_text = r["ref"]
        ref = int(ref_text) if ref_text and cell_problem(ref_text, "integer") is None else None
        if ref is None or ref not in design.index:
            problems.append(Problem(name, "study included", f"{ref_text!r} is not an included study", i, ref, "ref"))
            continue
        checklist = CHECKLIST_FOR_DESIGN[design[ref]]
        q_text = r["question"]
        q = int(q_text) if q_text and cell_problem(q_text, "integer") is None else None
        if q is None or (checklist, q) not in qs.index:
            n = len(qs.loc[checklist])
            problems.append(
                Problem(
                    name,
                    "question of the checklist",
                    f"{q_text!r} is not a question of the {checklist} checklist (1 to {n})",
                    i,
                    ref,
                    "question",
                )
            )
            continue
        answer = r["answer"].lower().replace(" ", "_")
        if answer not in ANSWERS:
            problems.append(
                Problem(name, "answer allowed", f"{r['answer']!r} is not one of {', '.join(ANSWERS)}", i, ref, "answer")
            )
            continue
        if (ref, q) in seen:
            problems.append(
                Problem(name, "one answer per question", f"question {q} is answered twice", i, ref, "question")
            )
            continue
        seen.add((ref, q))
        clean.append({"ref": ref, "checklist": checklist, "question": q, "answer": answer})
    table = pd.DataFrame(clean, columns=["ref", "checklist", "question", "answer"])
    for ref, part in table.groupby("ref"):
        checklist = part["checklist"].iloc[0]
        expected = set(qs.loc[checklist].index)
        lacking = sorted(int(q) for q in expected - set(part["question"]))
        if lacking:
            problems.append(
                Problem(
                    name,
                    "every question answered",
                    f"questions {lacking} of the {checklist} checklist have no answer",
                    None,
                    int(ref),
                    "question",
                )
            )
    if problems:
        raise DataValidationError(problems, source="appraisals")
    return table


def rate(appraisals: pd.DataFrame, review: Review) -> pd.DataFrame:
    """Each appraised study's answers, share of "yes" and rating.

    The share of "yes" is over the questions that apply (not_applicable left out).

    Returns
    -------
    DataFrame
        Indexed by ``ref``: ``label``, ``checklist``, one column per answer, ``applicable``,
        ``share_yes`` and ``rating``.
    """
    counts = appraisals.pivot_table(index="ref", columns="answer", values="question", aggfunc="count", fill_value=0)
    counts = counts.reindex(columns=list(ANSWERS), fill_value=0)
    counts["applicable"] = counts["yes"] + counts["no"] + counts["unclear"]
    counts["share_yes"] = counts["yes"] / counts["applicable"].replace(0, np.nan)
    counts["rating"] = counts["share_yes"].map(lambda s: "not rated" if pd.isna(s) else rating(s))
    s = review.studies.loc[counts.index]
    counts.insert(0, "checklist", appraisals.groupby("ref")["checklist"].first())
    counts.insert(0, "label", s["first_author"] + " " + s["year"].astype(str) + " [" + s.index.astype(str) + "]")
    counts.columns.name = None
    return counts


def distribution(ratings: pd.DataFrame) -> pd.DataFrame:
    """How many studies have each rating (every rating listed, and "not rated": a study whose
    every question is not applicable has no share of "yes")."""
    return ratings["rating"].value_counts().reindex([*RATINGS, "not rated"], fill_value=0).rename("studies").to_frame()


def traffic_light(appraisals: pd.DataFrame, review: Review, ax=None):
    """A robvis-style traffic-light plot: studies by questions, coloured by answer, with the rating."""
    style.use()
    ratings = rate(appraisals, review)
    # One column per question asked (numbered as the checklist numbers them), whatever the numbers.
    columns = {q: i + 1 for i, q in enumerate(sorted(appraisals["question"].unique()))}
    n_q = len(columns)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 + 0.45 * (n_q + 2), 0.8 + 0.32 * len(ratings)))
    for y, (ref, row) in enumerate(ratings.iterrows()):
        answers = appraisals[appraisals["ref"] == ref].set_index("question")["answer"]
        for q, answer in answers.items():
            ax.scatter(columns[q], y, s=120, color=ANSWER_COLOURS[answer], edgecolors="#555555", linewidths=0.4)
        ax.scatter(
            n_q + 1.5, y, s=160, marker="s", color=RATING_COLOURS.get(row["rating"], "#ffffff"), edgecolors="#555555"
        )
    ax.set_yticks(range(len(ratings)), ratings["label"])
    ax.set_xticks([*columns.values(), n_q + 1.5], [f"Q{q}" for q in columns] + ["overall"])
    ax.invert_yaxis()
    ax.set_xlim(0.3, n_q + 2.2)
    handles = [
        plt.Line2D([], [], marker="o", ls="", color=c, label=a.replace("_", " ")) for a, c in ANSWER_COLOURS.items()
    ]
    handles += [plt.Line2D([], [], marker="s", ls="", color=c, label=f"{r} risk") for r, c in RATING_COLOURS.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title("Risk of bias per study and question (JBI)", loc="left")
    ax.figure.tight_layout()
    return ax.figure


def summary_plot(appraisals: pd.DataFrame, review: Review, weighted: bool = False, ax=None):
    """The share of each answer per checklist question, unweighted or weighted by patients."""
    style.use()
    data = appraisals.copy()
    data["weight"] = review.studies.loc[data["ref"], "n_cases"].to_numpy(float) if weighted else 1.0
    keys = sorted(set(zip(data["checklist"], data["question"], strict=True)))
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.8 + 0.28 * len(keys)))
    left = np.zeros(len(keys))
    for answer in ANSWERS:
        shares = []
        for checklist, q in keys:
            part = data[(data["checklist"] == checklist) & (data["question"] == q)]
            shares.append(part.loc[part["answer"] == answer, "weight"].sum() / part["weight"].sum())
        ax.barh(range(len(keys)), shares, left=left, color=ANSWER_COLOURS[answer], label=answer.replace("_", " "))
        left += np.array(shares)
    ax.set_yticks(range(len(keys)), [f"{c.replace('_', ' ')} Q{q}" for c, q in keys])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("Share of studies" + (", weighted by patients" if weighted else ""))
    ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.08 - 0.3 / max(len(keys), 1)), frameon=False)
    ax.set_title("Answers per question", loc="left")
    ax.figure.tight_layout()
    return ax.figure


def paper_distribution(review: Review) -> pd.DataFrame:
    """The paper's reported distribution of ratings (from the claims register), per rating."""
    from .registers import parse_reported

    claims = {c.id: c for c in review.claims}
    rows = {
        r: int(parse_reported(claims[f"quality-risk-of-bias-{r}"].reported).value[0])
        if f"quality-risk-of-bias-{r}" in claims
        else pd.NA
        for r in RATINGS
    }
    return pd.DataFrame({"studies (paper)": pd.array(list(rows.values()), dtype="Int64")}, index=list(rows))


def show_appraisals(review: Review, appraisal_path=None, weighted: bool = False, output_dir=None) -> None:
    """Display the appraisal results, or say plainly that study-level appraisals are not published."""
    from IPython.display import Markdown, display

    from . import plots

    paper = paper_distribution(review)
    if appraisal_path is None:
        display(
            Markdown(
                "**Study-level appraisals are not published.** The paper's per-study JBI answers are in its "
                "supplementary material, which is not available, so this report holds none and invents none. "
                "The paper's own distribution of ratings is shown below; to rate studies, write an appraisal "
                "file (`ref,question,answer`, one row per study and question) and run this notebook with "
                "`-p appraisal_path path/to/appraisals.csv`."
            )
        )
        display(paper)
        return
    appraisals = load_appraisals(appraisal_path, review)
    ratings = rate(appraisals, review)
    display(Markdown(f"Appraisals of {len(ratings)} studies from {escape.markdown(Path(appraisal_path).name)}."))
    display(ratings)
    display(distribution(ratings).join(paper))
    display(plots.show(traffic_light(appraisals, review), "risk-of-bias-traffic-light", output_dir))
    display(plots.show(summary_plot(appraisals, review, weighted=weighted), "risk-of-bias-summary", output_dir))
