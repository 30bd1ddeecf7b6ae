"""The claim checker: find an article's trade figures and compare them with the store.

Deterministic and offline: stated rules over the article's words, no downloaded models. Four
stages, one module each, so each can be read in one sitting:

1. :mod:`.reading` — text or HTML to paragraphs, sentences and the publication date
   (trafilatura, htmldate, dateparser, syntok);
2. :mod:`.extract` — money amounts, ranges, percentages and multiples with their qualifiers;
3. :mod:`.attribute` (with :mod:`.periods`) — each figure's measure, pair, direction, period and
   role (a fact, a goal, the base of a comparison, a forecast);
4. :mod:`.judge` — each claim against the read layer: ``consistent``, ``differs``, ``target`` or
   ``unverifiable``, with the store's figure, its source and the reason.

The vocabulary (scale words, qualifiers, sources, context phrases) is data:
``agenda/data/claim_words.yml``.
"""

from __future__ import annotations

from bilateral.agenda.claims.attribute import BASE_LABELS, Claim, base_label, extract_claims
from bilateral.agenda.claims.extract import Figure, find_figures
from bilateral.agenda.claims.judge import (
    APPROX_TOLERANCE,
    CROSS_SOURCE_TOLERANCE,
    PERCENT_TOLERANCE_PP,
    TOLERANCE,
    ClaimCheck,
    Prepared,
    Verdict,
    check_claim,
    check_text,
    judge,
    prepare,
)
from bilateral.agenda.claims.reading import (
    Article,
    Sentence,
    find_article_date,
    html_to_text,
    read_article,
    read_document,
    split_sentences,
)

__all__ = [
    "APPROX_TOLERANCE", "BASE_LABELS", "CROSS_SOURCE_TOLERANCE", "PERCENT_TOLERANCE_PP", "TOLERANCE", "Article", "Claim",
    "ClaimCheck", "Figure", "Prepared", "Sentence", "Verdict", "base_label", "check_claim", "check_text",
    "extract_claims", "find_article_date", "find_figures", "html_to_text", "judge", "prepare", "read_article",
    "read_document", "split_sentences",
]
