"""Claims: is each sentence of a text supported, contradicted or unsupported by other versions?

No NLI model ships on the package registry, so the default verifier is built from parts:

1. **Retrieval / alignment** (:func:`copydesk.align.similarity`, here :class:`PoolIndex`): order-free
   scoring of every claim against every evidence sentence, a blend of MiniLM cosine and a lexical TF-IDF
   cosine whose IDF is taken over the sentences at hand (the pool and the claims), so words every version
   repeats weigh little and the rare words two sentences share weigh much. ``align.align`` uses the
   same scorer.
2. **Hard rules** (:func:`hard_findings`, in ``rules``), each with a reason in plain words and the sentence it
   compared: a number, duration, fraction, date or quote that an aligned sentence, or a near one about
   the same thing (a head noun in common: "truce" ~ "ceasefire"), states otherwise; a stance reversed
   ("declined to comment" -> "confirmed"), a negation or antonym among the same neighbouring words, a
   hedge made certain ("could" -> "will"), actors swapped around the same verb; then what no version
   states: a number, date or quote in any form ("a fifth" = "20%", "90 minutes" = "an hour and a half"),
   an outlet, speaker or name, an evaluative or causal clause (an intent, a tactic, a tone, a purpose).
3. **A small logistic model** (``model``) over the alignment and diff signals (:data:`CLAIM_FEATURES`), its
   coefficients held to the sign each signal should have, fitted by ``scripts/fit_claim_model.py`` on
   development data (summary-consistency sets, MRPC, LLM rewrites of news) plus synthetic edits of real
   news sentences, with its threshold chosen in cross-validation -> ``copydesk/data/claim_model.json``.
   Its P(not supported) enters in one place: ``AlignmentVerifier._verdict``.
4. **The alignment**: a fitted floor (lexical alignment below a quantile of what faithful LLM
   paraphrases reach: "no version contains it", whatever the model says) and the alignment threshold
   ``ALIGN_MIN`` itself: a claim no sentence of another version aligns with is unsupported, unless a
   near sentence states its figures about the same thing. So a sentence the alignment calls "added" is
   never "supported". Except where **the trained pairwise verifier** (``featurize.nli``, the shipped
   ``copydesk/data/verifier.onnx``) vouches for it: P(supported) at least ``VOUCH_MIN`` against the claim's
   closest evidence sentence makes it supported, "says this in other words" (the threshold chosen
   leave-one-dataset-out by ``scripts/claims_lodo.py --fixed-grids nligate1``).

Non-claims (:func:`claim_role`: headings, questions, bullet labels, datelines, bylines) get the status
"heading": not flagged, not counted; a heading's numbers, dates, quotes and names are still checked.
Hard rules decide first, then the model, then the alignment. A different verifier (a real NLI model,
say) only has to implement :meth:`Verifier.judge` (and optionally ``judge_many``).

Modules: ``inputs`` (what the verifier reads), ``roles`` (non-claims), ``checks`` (small linguistic
checks), ``index`` (the evidence index), ``rules`` (:func:`hard_findings` over ``unit_rules`` and
``statement_rules``, sharing ``findings``), ``model``, ``verifier`` (the interface, the default
verifier, :func:`judge_claims`, :func:`claim_json`), ``facts`` and ``story`` (a story's facts and per-article details),
``paraphrase`` (the sentence-pair paraphrase decision). This module is their public API.
"""

from __future__ import annotations

from ..records import Verdict
from .checks import ANTONYMS_OF, actors, antonym_flip, class_swap, negated, negation_flip, resolved_subjects
from .facts import story_facts
from .findings import Finding
from .index import PoolIndex
from .inputs import (
    FLAGGED,
    LOOSE_MIN,
    STATEMENT_MIN,
    STATUSES,
    SUPPORT_MIN,
    TOP_EVIDENCE,
    ClaimInput,
    EvidenceSentence,
    claim_inputs,
    evidence_pool,
    sentence_units,
)
from .model import CLAIM_FEATURES, ClaimModel, claim_features, default_claim_model, model_file
from .paraphrase import PARAPHRASE_FEATURES, paraphrase_features, paraphrase_model, paraphrase_probs
from .roles import claim_role, split_label
from .rules import hard_findings
from .story import story_details
from .unit_rules import RULE_MIN
from .verifier import (
    AlignmentVerifier,
    Verifier,
    claim_json,
    claim_record,
    default_verifier,
    judge_claims,
    manipulation_score,
)

__all__ = [
    "ANTONYMS_OF",
    "CLAIM_FEATURES",
    "FLAGGED",
    "LOOSE_MIN",
    "PARAPHRASE_FEATURES",
    "RULE_MIN",
    "STATEMENT_MIN",
    "STATUSES",
    "SUPPORT_MIN",
    "TOP_EVIDENCE",
    "AlignmentVerifier",
    "ClaimInput",
    "ClaimModel",
    "EvidenceSentence",
    "Finding",
    "PoolIndex",
    "Verdict",
    "Verifier",
    "actors",
    "antonym_flip",
    "claim_features",
    "claim_inputs",
    "claim_json",
    "claim_record",
    "claim_role",
    "class_swap",
    "default_claim_model",
    "default_verifier",
    "evidence_pool",
    "hard_findings",
    "judge_claims",
    "manipulation_score",
    "model_file",
    "negated",
    "negation_flip",
    "paraphrase_features",
    "paraphrase_model",
    "paraphrase_probs",
    "resolved_subjects",
    "sentence_units",
    "split_label",
    "story_details",
    "story_facts",
]
