"""Claim verdicts on the seeds: the analyze report (issue 5) and the verify gate (issue 6)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import SEEDS
from copydesk.claims import actors, claim_role, class_swap, negation_flip, resolved_subjects, split_label

# A faithful rewrite of seed 000 written for this test: sentences reordered and reworded,
# every number and quote kept.
FAITHFUL_000 = """Russia Wants Ukraine Kept Out of NATO in Any Ceasefire Deal

The U.S. and Ukraine have jointly proposed a 30-day ceasefire to Russia, but Putin has outlined strict conditions for peace.
Russia has stated it will demand guarantees that Ukraine remains neutral and is permanently barred from joining NATO, as negotiations over a possible ceasefire in Ukraine intensify.
“We will demand that ironclad security guarantees become part of this agreement,” Grushko told the Russian media outlet Izvestia. “Part of these guarantees should be the neutral status of Ukraine, the refusal of NATO countries to accept it into the alliance.”
Deputy Foreign Minister Alexander Grushko emphasized that these conditions must be part of any agreement to end the war, which has now lasted three years.
Russia currently holds about a fifth of Ukraine’s territory.
U.S. President Donald Trump is set to speak to Russian President Vladimir Putin on Tuesday, amid renewed diplomatic efforts. Trump has indicated that discussions will cover territorial divisions and key infrastructure, including power plants.
Trump said aboard Air Force One: “A lot of work’s been done over the weekend. We want to see if we can bring that war to an end.” Negotiations include “dividing up certain assets” between Russia and Ukraine, he added.
Trump has long claimed he could end the war “on day one” of a new administration.
"""


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


# -- the small checks ---------------------------------------------------------------------------


def test_actor_swap_helpers():
    assert actors("The U.S. and Ukraine have jointly proposed a 30-day ceasefire to Russia") == ({"us", "ukraine"},
                                                                                                  {"russia"})
    prev = "Trump and Russian President Vladimir Putin will talk."
    assert "russia" in resolved_subjects("Both nations, alongside Ukraine, have put forward the proposal.", prev)


def test_negation_antonym_and_class_swaps():
    assert negation_flip("The minister did not resign.", "The minister resigned.")
    assert negation_flip("Shares rose sharply.", "Shares fell sharply.")
    assert not negation_flip("Shares rose sharply.", "Shares rose steeply.")
    assert class_swap("activists dumped pink and green paint", "activists dumped yellow and blue paint") == 2
    assert class_swap("activists poured yellow and blue paint", "activists dumped yellow and blue paint") == 0



def test_same_slot_swap_names_both_words_and_spares_faithful_rewordings():
    """The same-slot swap rule (claims.slot_rules): a closed-class word between the same words as another
    of its class in the source, its value stated nowhere in the source, is contradicted, naming both."""
    from copydesk import verify

    src = (
        "Grushko told the Russian media outlet Izvestia that talks would resume. Activists dumped gallons of "
        "yellow and blue paint on the road in the fall of 2022. Police arrested a man on Tuesday."
    )
    r = verify(src, "Talks would resume, Grushko told the German media outlet Izvestia.")
    (c,) = r.flagged
    assert c.status == "contradicted" and c.reason.startswith("“German” here; the source says “Russian”"), c.reason
    assert c.evidence and "Russian media" in c.evidence[0].text
    r = verify(src, "In the fall of 2022, activists dumped gallons of pink and blue paint on the road.")
    assert [c.reason[:40] for c in r.flagged] == ["“pink” here; the source says “yellow” in"]
    # Not swaps: the same value in other words ("autumn" = "fall"), a word the source states elsewhere, the
    # pronoun "us" (a nation only capitalised), a synonym in one class ("detained" = "arrested").
    for faithful in (
        "Activists dumped gallons of yellow and blue paint on the road in the autumn of 2022.",
        "Police detained a man on Tuesday.",
        "Grushko told us, via the Russian media outlet Izvestia, that talks would resume.",
    ):
        assert not [c for c in verify(src, faithful).flagged if "same place" in c.reason], faithful
    both = src + " Paint of pink and blue colours was seen too."
    r = verify(both, "In the fall of 2022, activists dumped gallons of pink and blue paint on the road.")
    assert not [c for c in r.flagged if "same place" in c.reason]

def test_non_claims_and_bullet_labels():
    """Headings, questions, datelines, bylines and list labels are not claims (issue 19)."""
    assert claim_role("What Would a Peace Deal Look Like?") == "question"
    assert claim_role("Ongoing Negotiations and Ceasefire Talks") == "heading"
    # ... but a one-line text without a full stop (a summary, a claim of a data set) is a claim.
    assert claim_role("Ongoing Negotiations and Ceasefire Talks", last=True) == "claim"
    assert claim_role("Updated: November 11, 2011 20: 09 IST") == "dateline"
    assert claim_role("By Jane Smith and John Doe, Reuters") == "byline"
    assert claim_role("Russia says it will insist on guarantees that Ukraine stays neutral.") == "claim"
    assert claim_role("For any ceasefire or peace deal to be effective, several key elements are needed:") == "claim"
    text = "- Neutrality Clause: Russia demands that Ukraine commit to neutrality."
    b, lab = split_label(text)
    assert text[:b] == "- " and text[b:lab] == "Neutrality Clause:"
    assert split_label("Trump said: we will see.") == (0, 0)


def test_alignment_makes_an_on_topic_invention_unsupported():
    """An on-topic sentence whose words align with no evidence sentence is unsupported. The shipped model
    (selected leave-one-dataset-out, issue 19) has no floor: the alignment threshold ALIGN_MIN flags it,
    and with that rule off it passes. The floor rule still works when a model sets one: then the floor's
    reason ("no version contains it") is given."""
    from dataclasses import replace

    from copydesk import verify
    from copydesk.claims import AlignmentVerifier, default_claim_model
    from copydesk.evaluate.claims import Checker

    model = default_claim_model()
    assert model.floor == ("lex_best", 0.0) and model.threshold >= 1.0  # the model only ranks
    src = seed("000")
    invented = "Post-War Reconstruction: Plans for rebuilding war-affected areas and securing economic stability."
    rep = verify(src, invented)
    # The bullet label is not a claim (issue 19); the commentary after it is judged.
    label, claim = rep.claims
    assert (label.text, label.status) == ("Post-War Reconstruction:", "heading")
    assert claim.status == "unsupported" and claim.reason.startswith(
        "no other version says this: the closest sentence (the source) shares little of it"), claim.reason
    assert "“war-affected”" in claim.reason
    # Without the alignment threshold (and no floor, a threshold the model never reaches) it is "supported":
    # the alignment rule is what flags it.
    _, c = Checker(verifier=AlignmentVerifier(model, align_min=0.0)).claims(src, invented)
    assert c["status"] == "supported"
    # A model with a floor flags it by the floor, whatever the alignment threshold.
    floored = AlignmentVerifier(replace(model, meta={**model.meta, "floor": 0.3}), align_min=0.0)
    _, c = Checker(verifier=floored).claims(src, invented)
    assert c["status"] == "unsupported" and c["reason"].startswith(
        "no other version says this: no sentence of another version shares its wording"), c["reason"]


def test_the_trained_verifier_vouches_for_a_reworded_sentence_the_alignment_misses():
    """Issue 19: the shipped pairwise verifier enters the verdicts where the alignment gives up. "The full
    interview can be accessed for further details." shares almost no words with "Read the interview here.";
    the alignment threshold alone calls it unsupported, and the trained verifier (P(supported) >= VOUCH_MIN
    against the closest sentence) makes it supported, naming the version and showing that sentence."""
    from copydesk import verify
    from copydesk.claims import AlignmentVerifier, default_claim_model, default_verifier
    from copydesk.claims.verifier import VOUCH_MIN
    from copydesk.evaluate.claims import Checker

    src = "The mayor answered questions from residents for two hours on Thursday evening. Read the interview here."
    rw = ("The mayor spent two hours on Thursday evening answering residents' questions. "
          "The full interview can be accessed for further details.")
    rep = verify(src, rw)
    assert rep.ok, rep.summary
    vouched = rep.claims[1]
    assert vouched.status == "supported" and vouched.support == ("source",)
    assert vouched.reason.startswith("the source says this in other words (the trained claim verifier: ")
    assert int(vouched.reason.rsplit(": ", 1)[1].split(" %")[0]) >= 100 * VOUCH_MIN
    assert vouched.evidence[0].text == "Read the interview here."
    # The alignment agrees: the sentence restates that source sentence, it is not "added".
    (row,) = [a for a in rep.alignment if a["start"] == vouched.start]
    assert row["label"] == "paraphrase" and row["source_sentences"][0]["text"] == "Read the interview here."
    assert default_verifier().vouch is not None
    # Without the trained verifier the same claim is "no other version says this".
    _, c = Checker(verifier=AlignmentVerifier(default_claim_model())).claims(src, rw)
    assert c["status"] == "unsupported" and c["reason"].startswith("no other version says this"), c


def test_the_vouch_is_asked_only_where_the_alignment_gives_up_and_never_overrides_a_rule():
    """The trained verifier is asked once per claim that no hard rule flags and no sentence aligns with
    (against its closest sentence), in one batch; at VOUCH_MIN it supports the claim, below it the claim
    stays unsupported; a claim a hard rule flags (here a number no version states) is never sent to it."""
    from copydesk.claims import AlignmentVerifier, default_claim_model
    from copydesk.claims.verifier import VOUCH_MIN
    from copydesk.evaluate.claims import Checker

    src = seed("000")
    invented = "Officials met in a quiet room to discuss the weather and their favourite novels at length."
    numbered = "The talks were attended by 4,812 delegates from across the region."
    asked: list[list[tuple[str, str]]] = []

    def vouch(p: float):
        def f(claims, evidences):
            asked.append(list(zip(claims, evidences, strict=True)))
            return np.full(len(claims), p)
        return f

    for p, status in ((VOUCH_MIN, "supported"), (VOUCH_MIN - 0.01, "unsupported")):
        asked.clear()
        verifier = AlignmentVerifier(default_claim_model(), vouch=vouch(p))
        c_inv, c_num = Checker(verifier=verifier).claims(src, invented + " " + numbered)
        assert c_inv["status"] == status, c_inv
        assert c_num["status"] == "unsupported" and "4,812" in c_num["reason"], c_num  # the rule, not the vouch
        assert len(asked) == 1 and [a for a, _ in asked[0]] == [invented]  # one batch, one pair
        assert asked[0][0][1] == c_inv["evidence"][0]["text"]  # against the sentence shown first


def test_a_date_bent_in_numeric_form_fails_the_gate_and_the_same_date_passes():
    """Issue 19, every checkable unit: "3/18/20" for "March 17, 2020" is a changed date (it was no unit at
    all and passed as a matching sentence); "3/17/20" is the same date."""
    from copydesk import verify

    src = "The governor announced the closure of all schools on March 17, 2020, citing the outbreak."
    bent = verify(src, "On 3/18/20 the governor said every school would close because of the outbreak.")
    assert not bent.ok and [c.status for c in bent.claims] == ["contradicted"]
    assert bent.claims[0].reason == "date changed: “3/18/20” here; the source says “March 17, 2020”"
    same = verify(src, "On 3/17/20 the governor said every school would close because of the outbreak.")
    assert same.ok, same.summary


def test_a_share_or_a_multiple_bent_in_other_words_fails_the_gate():
    """"Forty percent" for "one in five", "tripled" for "doubled": contradicted, naming both wordings; the same
    values in other words ("twenty percent", "rose twofold") pass."""
    from copydesk import verify

    src = "One in five voters said they had not decided yet. Sales doubled in the first quarter, the firm said."
    ok = verify(src, "Twenty percent of voters told pollsters they were undecided. The firm said sales rose "
                     "twofold in the first quarter.")
    assert ok.ok, ok.summary
    bent = verify(src, "Forty percent of voters told pollsters they were undecided. The firm said sales tripled "
                       "in the first quarter.")
    assert [c.status for c in bent.claims] == ["contradicted", "contradicted"]
    share, multiple = (c.reason for c in bent.claims)
    assert share.startswith("percentage changed: “Forty percent") and "One in five" in share, share
    assert multiple == "multiple changed: “tripled” here; the source says “doubled”", multiple


def test_a_rank_or_a_half_bent_in_other_words_fails_the_gate_and_a_group_speaker_is_no_name():
    """ "the region's biggest city" for "the second-largest city in the region" and "a third of riders" for
    "that half of the riders": contradicted, naming both; the same rank and share reworded pass, and
    "Opponents said" for "Critics said" is not a speaker no source names."""
    from copydesk import verify

    src = ("Leeds, the second-largest city in the region, approved the plan on Tuesday. A survey found that half "
           "of the riders wait daily. Critics said fares could rise.")
    ok = verify(src, "On Tuesday the plan was approved by Leeds, the region's second-biggest city. A poll showed "
                     "half of riders wait every day. Opponents said fares could rise.")
    assert ok.ok, ok.summary
    bent = verify(src, "On Tuesday the plan was approved by Leeds, the region's biggest city. A poll showed a "
                       "third of riders wait every day. Opponents said fares could rise.")
    assert [c.status for c in bent.claims] == ["contradicted", "contradicted", "supported"]
    rank, share = (c.reason for c in bent.claims[:2])
    assert rank == "rank changed: “biggest city” here; the source says “second-largest city”", rank
    assert share.startswith("fraction changed: “a third of riders") and "half of the riders" in share, share
    crowd = verify("Dozens of residents spoke at the hearing, which lasted until 11 p.m.",
                   "The hearing ran until 11 p.m., and hundreds of residents spoke at it.")
    assert [c.reason for c in crowd.claims] == [
        "number changed: “hundreds of residents” here; the source says “Dozens of residents”"
    ]
    swaps = [
        ("The budget will cost $3 million, the ministry said.",
         "According to the ministry, the budget will cost £3 million.",
         "amount changed: “£3 million” here; the source says “$3 million”"),
        ("The road is 5 km long and opened in 2019.", "Opened in 2019, the road stretches for 5 miles.",
         "number changed: “5 miles” here; the source says “5 km”"),
        ("The suspect, a man in his 40s, was arrested near the station.",
         "Police detained the suspect, a man in his 50s, close to the station.",
         "age changed: “in his 50s” here; the source says “in his 40s”"),
        ("The meeting lasted three hours and ended at noon.",
         "The meeting, which ended at midnight, went on for three hours.",
         "date changed: “midnight” here; the source says “noon”"),
    ]
    for source, rewrite, reason in swaps:
        assert [c.reason for c in verify(source, rewrite).claims] == [reason]
    assert verify("The road is 5 km long.", "The road is about three miles long.").ok
    person = verify("Health minister Anna Berg said the clinics would reopen.",
                    "The clinics will reopen, according to health minister Anna Borg.")
    assert [c.reason for c in person.claims] == [
        "source “Anna Borg” is named by no other version (“according to health minister Anna Borg”)"
    ]
    up = verify("Leeds, the largest city in the region, approved the plan on Tuesday.",
                "On Tuesday the plan was approved by Leeds, the second-largest city in the region.")
    assert [c.reason for c in up.claims] == ["rank changed: “second-largest city” here; the source says “largest city”"]
    # Both forms in one sentence: the word after the superlative tells which one the claim restates.
    both = "Leeds, the second-largest city in the region, has the largest station in the north."
    assert verify(both, "The north's largest station is in Leeds, the region's second-biggest city.").ok
    city = verify(both, "The north's largest station is in Leeds, the region's biggest city.")
    assert [c.reason for c in city.claims] == ["rank changed: “biggest city” here; the source says “second-largest city”"]


def test_a_tally_a_fortnight_a_sign_or_a_group_speaker_bent_in_other_words_fails_the_gate():
    """Issue 19's edit kinds in four more forms, each bent sentence reworded: a vote tally ("52 to 48" for
    "58-42"), a duration in fortnights ("a month" for "a fortnight"), a temperature's sign dropped ("10 degrees"
    for "minus 10 degrees"), a statement given to another group of speakers ("Prosecutors said" for "Police
    said"). Each fails naming both values; the same facts in other words pass ("58 votes to 42", "two weeks",
    "10 degrees below zero", "police said" at the end)."""
    from copydesk import verify

    src = ("The council voted 58-42 to approve the budget after a long debate. The repairs will take a fortnight, "
           "according to the contractor. Temperatures fell to minus 10 degrees overnight, the weather service "
           "said. Police said the suspect was arrested near the station after a short chase.")
    ok = verify(src, "The budget was approved by the council by 58 votes to 42 after lengthy discussion. According "
                     "to the contractor, the repair work will last two weeks. The thermometer dropped overnight to "
                     "10 degrees below zero, according to the weather service. The man suspected in the case was "
                     "detained close to the station following a brief pursuit, police said.")
    assert ok.ok, ok.summary
    bent = verify(src, "The budget was approved by the council in a 52 to 48 vote after lengthy discussion. "
                       "According to the contractor, the repair work will last a month. The thermometer dropped "
                       "overnight to 10 degrees, according to the weather service. Prosecutors said the man suspected "
                       "in the case was detained close to the station following a brief pursuit.")
    assert not bent.ok
    assert [(c.status, c.reason) for c in bent.claims] == [
        ("contradicted", "tally changed: “52 to 48 vote” here; the source says “58-42”"),
        ("contradicted", "duration changed: “a month” here; the source says “a fortnight”"),
        ("contradicted", "temperature changed: “10 degrees” here; the source says “minus 10 degrees”"),
        ("contradicted", "speaker changed: “Prosecutors said” here; the source says “Police said”"),
    ]
    # A broad group ("officials") may be any of them, and a source that names both groups is no swap.
    assert verify(src, "Officials said the man suspected in the case was detained close to the station "
                       "following a brief pursuit.").claims[0].status != "contradicted"
    both = "Police told prosecutors the suspect was arrested near the station after a short chase, police said."
    assert verify(both, "Prosecutors said the suspect was detained close to the station after a brief pursuit.") \
        .claims[0].status != "contradicted"


# -- analyze on the seeds -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("claims")
    out = d / "report.json"
    p = subprocess.run([sys.executable, "-m", "copydesk.cli", "analyze", str(SEEDS), "--db", str(d / "s.db"),
                        "--json", str(out), "-q"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    return json.loads(out.read_text())


def test_terminal_report_shows_counts_flags_facts_and_single_source_claims(tmp_path):
    """What the fact-checker reads in the terminal: per article kept/paraphrased/added and flagged counts,
    the flagged claims with evidence, per story the shared facts and the single-source ones."""
    import os

    p = subprocess.run([sys.executable, "-m", "copydesk.cli", "analyze", str(SEEDS), "--db", str(tmp_path / "t.db")],
                       capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "250"})
    assert p.returncode == 0, p.stderr
    out = p.stdout
    row003 = next(line for line in out.splitlines() if re.match(r"\s*rewrite\s+003_", line))
    m = re.search(r"kept (\d+), paraphrased (\d+), added (\d+) · (\d+) flagged", row003)
    assert m, row003
    kept, para, added, flagged = map(int, m.groups())
    assert para >= 10 and added >= 9 and flagged >= 7, row003  # the bullet list and the CNN line are added
    ref = next(line for line in out.splitlines() if re.match(r"\s*reference\s+000_", line))
    assert "kept" not in ref  # the reference has no source to align with
    # Issue 22: each flagged claim with its plain reason and the compared sentence, labelled as such.
    assert "unsupported (attribution): On the other hand, U.S. envoy Steve Witkoff" in out
    assert "why: " in out and "closest source sentence (" in out
    # Facts are facts: a number or date comes with the sentence that states it, never bare.
    shared = out[out.index("Facts most outlets support:"):]
    assert re.search(r"30-day: [^\n]*30-day ceasefire[^\n]*\(5 articles\)", shared)
    single = out[out.index("Single-source claims"):]
    assert re.search(r"2026: [^\n]*before 2026\.[^\n]*\(date, only 004_93aa11b925429657\)", single)


def claims_of(report: dict, prefix: str) -> list[dict]:
    art = next(a for a in report["articles"] if a["id"].startswith(prefix))
    return art["claims"]


def status(report: dict, prefix: str, needle: str) -> str:
    hits = [c for c in claims_of(report, prefix) if needle in c["text"]]
    assert hits, f"no claim of {prefix} contains {needle!r}"
    return hits[0]["status"]


def test_report_fields(report):
    art = report["articles"][0]
    for key in ("alignment", "claims", "dropped"):
        assert key in art
    a = art["claims"][0]
    assert {"text", "start", "end", "kind", "status", "support", "evidence"} <= set(a)
    assert a["kind"] in ("number", "date", "quote", "attribution", "entity", "statement")
    assert {x["label"] for x in report["articles"][1]["alignment"]} <= {"verbatim", "paraphrase", "added"}
    assert "facts" in report["stories"][0]


def test_003_cnn_attribution_unsupported(report):
    cnn = next(c for c in claims_of(report, "003") if "confirmed to CNN" in c["text"])
    assert cnn["status"] == "unsupported" and cnn["kind"] == "attribution"


BULLETS = ("Neutrality Clause:", "Ceasefire Mechanisms:", "Territorial Agreements:", "Security Assurances:",
           "Post-War Reconstruction:", "Mistrust Between Parties:", "Geopolitical Interests:", "Public Opinion:",
           "Military Realities:")


def bullet_items(claims) -> list[tuple]:
    """(label claim, the claim after it) for each bullet of 003's lists ("- Neutrality Clause: Russia ...")."""
    get = (lambda c, k: c[k]) if claims and isinstance(claims[0], dict) else getattr
    out = []
    for k, c in enumerate(claims[:-1]):
        if get(c, "text").startswith(BULLETS):
            out.append((c, claims[k + 1]))
    return out


def test_003_bullet_labels_are_headings_and_the_commentary_is_unsupported(report):
    items = bullet_items(claims_of(report, "003"))
    assert [lab["text"] for lab, _ in items] == list(BULLETS)
    # A bullet label is not a claim (issue 19): status "heading", never flagged.
    assert all(lab["status"] == "heading" for lab, _ in items)
    # The commentary after it is judged: flagged, bar the bullet that restates a sourced fact ("Russia
    # demands that Ukraine commit to neutrality") and may pass.
    flagged = [body["text"] for _, body in items if body["status"] != "supported"]
    assert len(flagged) >= 5, flagged
    assert all(body["status"] == "unsupported" for _, body in items if body["status"] != "supported")


def test_seeds_report_flags_no_heading_question_or_label(report):
    """Headings, subheadings, questions and bullet labels of the seeds are "heading", not flagged."""
    for needle in ("What Would a Peace Deal Look Like?", "Ongoing Negotiations and Ceasefire Talks",
                   "Zelensky Accuses Russia of Sabotaging Peace Efforts", "Trump’s Role in Ending the War",
                   "Russia Demands NATO Exclusion in Ukraine Peace Talks", *BULLETS):
        hits = [c for a in report["articles"] for c in a["claims"] if c["text"].startswith(needle)]
        assert hits and all(c["status"] == "heading" for c in hits), (needle, [c["status"] for c in hits])
    for a in report["articles"]:
        heads = [c for c in a["claims"] if c["status"] == "heading"]
        assert all(not c["support"] and not c["evidence"] for c in heads)
        assert a["counts"].get("heading", 0) == len(heads)


def test_statuses_never_contradict(report):
    """What a user sees agrees: an unsupported or contradicted claim names no supporting article, a
    supported sentence is never "added" against its own source, and every flag has a plain reason."""
    for a in report["articles"]:
        labels = {(x["start"], x["end"]): x for x in a.get("alignment") or []}
        for c in a["claims"]:
            if c["status"] in ("unsupported", "contradicted"):
                assert not c["support"], c
                assert c["reason"] and "lex_best" not in c["reason"] and "best_sim" not in c["reason"], c
                assert not re.search(r"\[\d+:\d+\]|\d\.\d{2} <", c["reason"]), c["reason"]
            al = labels.get((c["start"], c["end"]))
            if al and c["status"] == "supported" and al["label"] == "added":
                assert a["source"] not in c["support"], (c["text"], c["support"])


def test_002_faithful_sentences_not_contradicted(report):
    """002 rewords 001 faithfully: none of its sentences is contradicted (an actor swap and an antonym
    ("a peace deal" / "end the war") were flagged before issue 19)."""
    assert not [c["text"] for c in claims_of(report, "002") if c["status"] == "contradicted"]


def test_004_macron_rutte_and_leaked_documents_unsupported(report):
    for needle in ("Emmanuel Macron", "Macron emphasized", "Mark Rutte", "Leaked Kremlin documents"):
        assert status(report, "004", needle) == "unsupported", needle


def test_001_both_nations_proposal_flagged(report):
    assert status(report, "001", "Both nations, alongside Ukraine") in ("contradicted", "unsupported")


def test_faithful_sentences_supported(report):
    assert status(report, "002", "The U.S. and Ukraine have jointly proposed a 30-day ceasefire") == "supported"
    assert status(report, "001", "ironclad security guarantees") == "supported"
    assert status(report, "003", "The U.S. and Ukraine have jointly proposed a 30-day ceasefire") == "supported"
    # ...and the checker does not flag everything.
    for prefix in ("000", "001", "002"):
        cs = claims_of(report, prefix)
        assert sum(c["status"] == "supported" for c in cs) >= len(cs) / 2, prefix


def test_story_facts_one_fifth_and_30_day_ceasefire(report):
    story = report["stories"][0]
    ids = sorted(story["articles"])
    facts = story["facts"]
    fifth = [f for f in facts if f["kind"] == "number" and f["text"] in ("about a fifth", "a fifth")]
    assert fifth, [f["text"] for f in facts if f["kind"] == "number"]
    assert {i[:3] for i in fifth[0]["support"]} >= {"000", "001", "002"}
    day30 = [f for f in facts if f["kind"] == "number" and "30-day" in f["text"]]
    assert day30 and sorted(day30[0]["support"]) == ids


# -- the verify gate on the seeds -------------------------------------------------------------------


@pytest.fixture(scope="module")
def gate():
    from copydesk import verify

    src = seed("000")
    return {p: verify(src, seed(p)) for p in ("000", "001", "002", "003", "004")} | {
        "faithful": verify(src, FAITHFUL_000)}


def flagged_text(report) -> str:
    return " ".join(c.text for c in report.flagged)


def test_verify_source_against_itself_and_faithful_paraphrase_pass(gate):
    assert gate["000"].ok, gate["000"].summary
    assert gate["faithful"].ok, [(c.text, c.status, c.reason) for c in gate["faithful"].flagged]


def test_verify_rewrites_fail_for_their_reasons(gate):
    assert not gate["001"].ok and "Both nations, alongside Ukraine" in flagged_text(gate["001"])
    r2 = gate["002"]
    assert not r2.ok and "artifact" in r2.failed_on
    assert {"prompt_leak", "duplicated_body"} <= {a.kind for a in r2.artifacts}
    r3 = gate["003"]
    assert not r3.ok and "confirmed to CNN" in flagged_text(r3)
    # ...and its bullet-list commentary, all but the bullet that restates the source's neutrality demand;
    # the bullet labels themselves are headings, never flagged.
    items = bullet_items(r3.claims)
    assert len(items) == len(BULLETS) and all(lab.status == "heading" for lab, _ in items)
    bodies = [body for _, body in items if body.status != "supported"]
    assert len(bodies) >= 5 and all(c.status == "unsupported" for c in bodies), [c.text for c in bodies]
    assert not any(lab.text == "Neutrality Clause:" and body in bodies for lab, body in items)
    r4 = gate["004"]
    assert not r4.ok
    for needle in ("Macron", "Rutte", "Leaked Kremlin documents"):
        assert needle in flagged_text(r4), needle


def test_html_report_shows_statuses_that_agree(report):
    """The report an editor reads (issue 19): no "added" sentence tagged "✓ supported", no number marked
    "not in the source" that its source states, headings tagged "not a claim", and every flag's evidence
    labelled as the sentence compared."""
    from copydesk.report.marks import unit_marks
    from copydesk.report.page import render_html

    html = render_html(report, marks=unit_marks(report))
    rows = re.findall(r'<tr class="row row-(\w+)">(.*?)</tr>', html, re.S)
    added = [body for kind, body in rows if kind == "added"]
    assert added and not any("✓ supported" in body for body in added)
    # "30-day" is in every version: never "not in the source", whichever sentence it is in.
    assert not re.search(r'title="number not in the source">30-day', html)
    claims = [c for a in report["articles"] for c in a["claims"]]
    assert html.count("— not a claim</span>") == sum(c["status"] == "heading" for c in claims)
    flagged = sum(c["status"] in ("unsupported", "contradicted") for c in claims)
    labelled = html.count("Closest source sentence (compared):") + html.count("Nothing similar in the other")
    assert labelled == flagged


def test_a_heading_is_not_a_claim_but_its_numbers_are_checked():
    from copydesk import verify

    body = ("Russia says it will insist on guarantees that Ukraine stays neutral and is barred for good from "
            "joining NATO, as talks on a possible ceasefire gather pace.")
    ok = verify(seed("000"), "Russia Wants Guarantees of a Neutral Ukraine\n\n" + body)
    assert [c.status for c in ok.claims] == ["heading", "supported"] and not ok.flagged
    bent = verify(seed("000"), "Russia Rejects a 45-Day Truce\n\n" + body)
    (flag,) = bent.flagged
    assert flag.text == "Russia Rejects a 45-Day Truce" and "45-Day" in flag.reason


def test_a_quote_or_name_the_source_states_with_other_punctuation_is_not_flagged():
    """A quoted title or a name that the source writes with a curly apostrophe or a hyphen is the same words:
    "Say You'll Be There" = Say You’ll Be There, Kardashian Jenner = Kardashian-Jenner. Before, the quote's
    apostrophe was kept while the source's became a space, and the quote was "in no other version"."""
    from copydesk import verify

    src = (
        "When the Spice Girls made their video for the hit song Say You’ll Be There in 1996, they knew it mattered. "
        "The Kardashian-Jenner empire keeps growing, the magazine reported on Monday."
    )
    for faithful in (
        'The Spice Girls knew it mattered when they filmed the video for "Say You\'ll Be There" in 1996.',
        "On Monday the magazine reported that the Kardashian Jenner empire keeps growing.",
    ):
        assert not [c.reason for c in verify(src, faithful).flagged if "no other version" in c.reason], faithful
    # A quote the source does not have is still found.
    r = verify(src, 'The Spice Girls knew it mattered when they filmed "Wannabe Forever Girls" in 1996.')
    assert any(c.kind == "quote" and "Wannabe Forever Girls" in c.reason for c in r.flagged), r.flagged


def test_mac_roman_quotes_are_repaired_before_comparing():
    """A source saved as Mac Roman and read as Latin-1 ("ItÕs ÒnewÓ") has its quotes back, so a rewrite
    quoting it is checked against the quote, and the stored analysis reads the same repaired text."""
    from copydesk import verify
    from copydesk.analyze import analyze_batch
    from copydesk.clean import clean_article, repair_mojibake
    from copydesk.config import Settings
    from copydesk.records import Article
    from copydesk.store.codec import analysis_from_json, analysis_to_json

    raw = "ÒItÕs actually the safest time to fly,Ó a post says. The post calls the virus ÒnewÓ and Òman-made.Ó"
    assert repair_mojibake(raw) == "“It’s actually the safest time to fly,” a post says. " \
        "The post calls the virus “new” and “man-made.”"
    # Real Latin-1 text with one such letter is left alone.
    assert repair_mojibake("La NACIÓN and Òscar met.") == "La NACIÓN and Òscar met."
    # One sure sign is enough: a contraction, or a quote opened and closed at a word's edges.
    assert repair_mojibake("Hospitals donÕt allow it.") == "Hospitals don’t allow it."
    assert repair_mojibake("A tanker with ÒCOVID-19Ó stamped on it.") == "A tanker with “COVID-19” stamped on it."
    assert not verify("A post shows a rail freight tanker with ÒCOVID-19Ó stamped on one side.",
                      'A post shows a freight tanker on the rails with a "COVID-19" stamp on one side.').flagged
    rewrite = 'A post claims "It\'s actually the safest time to fly."'
    assert not [c.reason for c in verify(raw, rewrite).flagged if c.kind == "quote"]
    art = Article("a", raw)
    assert "Ò" not in clean_article(art).text and art.text == raw  # the raw text is kept as given
    (row,) = analyze_batch([art], Settings(), embed=False)
    stored_clean, sents = analysis_from_json(art, analysis_to_json(row.clean, row.sentences))
    assert stored_clean.text == row.clean.text and [s.text for s in sents] == [s.text for s in row.sentences]
    assert "“new”" in " ".join(s.text for s in sents)


def test_negation_in_other_words_is_not_a_reversal():
    """A faithful rewrite that says "not" another way ("unable to" for "could not", "his failure to" for
    "not", "far from" for "not", a negation raised to "seem", or one "not" over "X or Y") is not contradicted;
    a negation that does reverse the source still is."""
    from copydesk import verify

    pairs = (
        ("It was revealed that she could not perform at the ceremony for the former managers.",
         "It was revealed that she was unable to perform at the ceremony for the former managers."),
        ("The comedian protested against Trump not appointing a Latino to his cabinet this year.",
         "The comedian protested against Trump's failure to appoint a Latino to his cabinet this year."),
        ("Kim Kardashian is NOT upset about Kanye West working on a cosmetics line, a source said.",
         "A source said Kim Kardashian is not concerned or upset about Kanye West working on a cosmetics line."),
        ("The actress, 50, can't seem to complete even the simplest of tasks, according to the magazine.",
         "According to the magazine, the actress, 50, seems to struggle to complete even the simplest tasks."),
        ("Nicki is not surprised by these rumors about Drake, a source close to the rapper said.",
         "A source close to the rapper said Nicki is far from surprised by these rumors about Drake."),
    )
    for src, faithful in pairs:
        flagged = [c.reason for c in verify(src, faithful).flagged if c.reason.startswith("negation")]
        assert not flagged, (faithful, flagged)
    r = verify(pairs[0][0], "It was revealed that she did perform at the ceremony for the former managers.")
    assert [c.reason[:9] for c in r.flagged] == ["negation:"], [c.reason for c in r.flagged]
    r = verify(pairs[1][0], "The comedian protested against Trump appointing a Latino to his cabinet this year.")
    assert any(c.status == "contradicted" for c in r.flagged), [c.reason for c in r.flagged]
    # A phrasal verb is another verb: "came as a surprise" asserts nothing of "had never come up".
    src = "In all the rumors that had swirled around The Dress, Ms. Waight Keller's name had never come up."
    assert verify(src, "The choice of Waight Keller came as a surprise, as her name had not been associated with "
                       "the rumors surrounding The Dress.").ok
    r = verify(src, "In all the rumors about The Dress, Ms. Waight Keller's name had come up often.")
    assert [c.reason for c in r.flagged] == ["negation: “name had come” here; the source says “never come”"]


def test_a_hedge_in_other_words_is_kept():
    """"supposedly" for "allegedly", "there are allegations that" for "is alleged to" keep the hedge; dropping
    it still makes the claim certain."""
    from copydesk import verify

    src = "She has allegedly been dating a mystery man for months now, and has not told her former husband."
    for faithful in (
        "She has supposedly been dating a mysterious man for months without telling her former husband.",
        "There are allegations that she has been dating a mysterious man for months without telling her former "
        "husband.",
    ):
        assert not [c.reason for c in verify(src, faithful).flagged if c.reason.startswith("hedge")], faithful
    r = verify(src, "She has been dating a mysterious man for months without telling her former husband.")
    assert [c.reason[:19] for c in r.flagged] == ["hedge made certain:"], [c.reason for c in r.flagged]


def test_a_future_or_a_likelihood_told_as_done_fails_the_gate():
    """"would be completed" told as "was completed" and "likely caused by" as "caused" (the voice changed too)
    state as fact what the source hedged: "hedge made certain", naming both. The same hedge in other words
    ("will be completed" in reported speech, "is slated to be", "believe", "probably", "suspected of") passes."""
    from copydesk import verify

    src = ("The CEO said the merger would be completed by the end of the year. Officials said the fire was likely "
           "caused by an electrical fault.")
    ok = verify(src, "The merger will be completed by the end of the year, the CEO said. Officials believe an "
                     "electrical fault caused the fire.")
    assert ok.ok, ok.summary
    # A negated "would" is said of what did not happen; "would have" before a noun is no verb of its own.
    assert verify("He never would have considered a DNA test.", "He never considered a DNA test.").ok
    assert verify("She agreed so that they would have money for college.",
                  "She agreed to it so they have money for college.").ok
    # "would" of habit is the past ("routinely wandered"), and a claim that denies the verb states no hedge away.
    assert verify("He would wander the streets of Manhattan in slippers.",
                  "He routinely wandered the streets of Manhattan in slippers.").ok
    assert not [c for c in verify("The dam could harm endangered species.",
                                  "Endangered species are not harmed by the dam.").claims if c.reason.startswith("hedge")]
    for faithful in ("According to the CEO, the merger is slated to be completed by the end of the year.",
                     "Officials said the fire was probably started by an electrical fault.",
                     "An electrical fault is suspected of causing the fire, officials said."):
        assert verify(src, faithful).ok, faithful
    bent = verify(src, "The merger was completed, the CEO said. Officials said an electrical fault caused the fire.")
    assert [(c.status, c.reason) for c in bent.claims] == [
        ("contradicted", "hedge made certain: “The merger was completed” here; the source says “would be completed”"),
        ("contradicted", "hedge made certain: “an electrical fault caused” here; the source says “likely caused”"),
    ]


def test_a_quarter_or_a_year_to_a_month_in_other_words():
    """"the April-to-June quarter" is the second quarter and "the 12 months to March" the year to March: both
    pass. Another quarter, or a month outside it, is "date changed"."""
    from copydesk import verify

    src = "The firm lost $3.2 billion in the second quarter. Prices rose 3.2% in the year to March."
    assert verify(src, "In the April-to-June quarter, the firm lost $3.2bn. In the 12 months to March, prices "
                       "climbed 3.2 percent.").ok
    assert verify(src, "The firm lost $3.2bn in Q2.").ok
    assert verify(src, "The firm lost $3.2bn in May.").ok
    bent = verify(src, "In the third quarter, the firm lost $3.2bn. The firm lost $3.2bn in August.")
    assert [c.reason for c in bent.claims] == [
        "date changed: “third quarter” here; the source says “second quarter”",
        "date changed: “August” here; the source says “second quarter”",
    ]


def test_a_clause_inserted_into_a_restated_sentence_is_unsupported():
    """A sentence that restates the source with a clause of its own ("while testifying in a separate case long
    before these events") fails, naming the clause; a rewording that puts several words in place of one
    ("actively advocating for the implementation of" for "pushing") passes."""
    from copydesk import verify

    src = "The senator said the bill would cut taxes for working families. Critics disagreed with him."
    bent = verify(src, "The senator said, while testifying in a separate case long before these events, that the bill "
                       "would cut taxes for working families. Critics disagreed with him.")
    assert [(c.status, c.reason) for c in bent.flagged] == [
        ("unsupported", "inserted clause: “testifying in a separate case” — words no other version has, in a "
                        "sentence that otherwise restates the source")
    ]
    assert verify("Wisconsin Governor Tony Evers is pushing firearm confiscation orders.",
                  "Wisconsin Governor Tony Evers is actively advocating for the implementation of firearm "
                  "confiscation orders.").ok


def test_a_participle_with_by_is_passive_without_its_auxiliary():
    """"an estate managed by Prince Charles" says Charles manages it, as the source does: no actor swap. The
    same reduced passive with the actors traded ("Klitschko, stopped by Rahman") still is one."""
    from copydesk import verify

    src = "Most of her living costs are covered by the private estate Prince Charles manages, the Duchy of Cornwall."
    assert verify(src, "Most of her living costs are covered by the Duchy of Cornwall, a private estate managed by "
                       "Prince Charles.").ok
    src = "Klitschko stopped Rahman in the seventh round in Hamburg."
    bent = verify(src, "In Hamburg, Klitschko, stopped by Rahman in the seventh round, lost.")
    assert [c.reason for c in bent.flagged] == [
        "actor swap: Rahman stopped Klitschko here; in the source's sentence it is the other way round"
    ]


def test_an_event_moved_years_or_months_back_fails_the_gate():
    """"several years ago" for "recently", "the previous month" or "a month earlier" for "on Tuesday" move the
    event: "date changed", naming both. A relative date no version could state ("last year" added beside the source's own
    "Tuesday") is unsupported. The same time in other words ("this week" for "on Tuesday", "last year" where
    the source gives the year) passes."""
    from copydesk import verify

    src = ("Robert Pattinson recently sat down with The Telegraph to discuss his new film Good Time. ABC canceled "
           "Roseanne on Tuesday after the actress sent a racist tweet. The company said its profits fell in 2016.")
    ok = verify(src, "Pattinson has recently spoken to The Telegraph about his new film, Good Time. ABC cancelled "
                     "Roseanne earlier this week, after a racist tweet by its star. Its profits fell last year, "
                     "the company said.")
    assert ok.ok, ok.summary
    bent = verify(src, "Several years ago Pattinson spoke to The Telegraph about his new film, Good Time. ABC "
                       "cancelled Roseanne the previous month, after a racist tweet by its star.")
    assert [(c.status, c.reason) for c in bent.claims] == [
        ("contradicted", "date changed: “Several years ago” here; the source says “recently”"),
        ("contradicted", "date changed: “previous month” here; the source says “Tuesday”"),
    ]
    earlier = verify(src, "A month earlier, ABC had cancelled Roseanne after a racist tweet by its star.")
    assert [(c.status, c.reason) for c in earlier.claims] == [
        ("contradicted", "date changed: “A month earlier” here; the source says “Tuesday”")
    ]
    assert verify("Two days earlier, the minister had resigned. Protests began on Friday.",
                  "The minister had resigned two days earlier; protests began on Friday.").ok
    added = verify("The company said on Tuesday that its profits fell.",
                   "The company said on Tuesday that its profits fell last year.")
    assert [(c.status, c.reason) for c in added.claims] == [
        ("unsupported", "date “last year” appears in no other version")
    ]


def test_a_sum_or_a_difference_of_the_sources_figures_is_stated():
    """A rewrite that adds up ("186 people aboard" for "180 passengers and six crew") or takes a difference
    ("rose seven points" for "62 percent, up from 55 percent") states the source's facts; another total or
    difference is a figure no source has."""
    from copydesk import verify

    src = "The plane carried 180 passengers and six crew. Turnout was 62 percent, up from 55 percent in 2018."
    assert verify(src, "There were 186 people aboard the plane. Turnout rose seven points from 2018, to 62 "
                       "percent.").ok
    bent = verify(src, "There were 190 people aboard the plane. Turnout rose nine points from 2018, to 62 percent.")
    assert [c.reason for c in bent.claims] == [
        "number “190 people aboard” appears in no other version",
        "number “nine points” appears in no other version",
    ]
    # A score is no sum: "20 - 16" is a score no version has, even where 12 wins and 8 losses make 20.
    r = verify("Colts Clinch Playoff Spot with 20 - 13 Win Over Chiefs\n\nThe Colts have 12 wins and 8 losses in "
               "their last 20 games against the Chiefs, the team said on Sunday.",
               "Colts Clinch Playoff Spot with 20 - 16 Win Over Chiefs")
    assert [c.reason for c in r.claims] == ["tally “20 - 16 Win” appears in no other version"]


def test_a_rate_is_not_a_duration():
    """"2,000 sit-ups a day" counts per day; it does not contradict a source's "six hours per day". A duration
    written with an article ("lasted a week") still contradicts "two weeks"."""
    from copydesk import verify

    src = (
        "The boxer worked out for six hours per day, including 2,000 sit-ups, 1,000 each morning and the same "
        "at night. The truce lasted two weeks, officials said on Monday."
    )
    r = verify(src, "The boxer did 2,000 sit-ups a day, 1,000 each morning and the same at night.")
    assert not [c.reason for c in r.flagged if "changed" in c.reason], [c.reason for c in r.flagged]
    r = verify(src, "The truce lasted a week, officials said on Monday.")
    assert [c.reason for c in r.flagged] == ["duration changed: “a week” here; the source says “two weeks”"]


def test_an_outcome_told_from_the_other_side_is_not_an_antonym():
    """"City have won" = "United have lost ... to City": one result from the two sides. The same verb swap
    with the same side ("United have won") is still contradicted."""
    from copydesk import verify

    src = "United have lost the last four derbies to City, the club said on Sunday."
    assert not verify(src, "Manchester City have won the last four Manchester derbies, the club said.").flagged
    r = verify(src, "United have won the last four derbies against City, the club said on Sunday.")
    assert [c.reason[:8] for c in r.flagged] == ["antonym:"], [c.reason for c in r.flagged]
    # "defeat" with an object is the verb: a win, not the noun "defeat".
    src = "He played in the Pro Bowl and helped the Giants defeat the New England Patriots in Super Bowl XLII."
    assert verify(src, "He played in the Pro Bowl and helped lead the Giants to a Super Bowl victory against the "
                       "New England Patriots.").ok
    r = verify("The Giants suffered a defeat against the New England Patriots in the Super Bowl.",
               "The Giants won a victory against the New England Patriots in the Super Bowl.")
    assert [c.reason for c in r.flagged] == ["antonym: “won a victory” here; the source says “suffered a defeat”"]


def test_a_claim_restating_one_clause_of_a_long_sentence_is_supported():
    """A rewrite that restates one clause of a long source sentence shares few of that sentence's words in
    all; the clause alone is evidence too (``claims.inputs.clauses``), so it is supported. An invention beside
    it is still flagged."""
    from copydesk import verify
    from copydesk.claims.inputs import clauses

    long = (
        "It was a classic case of opposites attracting, the magazine wrote in its cover story this week, since "
        "she liked quiet game nights at home with her celebrity pals whereas he would rather hit the town "
        "until dawn with his bandmates, according to a friend of the couple who spoke on condition of anonymity."
    )
    assert "whereas he would rather hit the town until dawn with his bandmates" in clauses(long)
    assert clauses("A short sentence, with a comma.") == []
    src = long + " The couple married in 2015 in Los Angeles."
    r = verify(src, "He preferred to hit the town with his bandmates.")
    assert not r.flagged, [c.reason for c in r.flagged]
    r = verify(src, "He would rather spend his evenings restoring vintage motorcycles in a garage.")
    assert [c.status for c in r.flagged] == ["unsupported"]
