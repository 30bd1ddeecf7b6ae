"""Stage 1, reading: an article (text or HTML) into paragraphs, sentences and its publication date.

One reader for every entry point: the CLI (a file), the web form and ``/api/check`` (pasted text or
HTML) all go through :func:`read_document`, so they see the same words and the same date.

- HTML: trafilatura extracts the article's text (boilerplate, navigation, ``<script>`` and
  ``<style>`` dropped) and htmldate reads the publication date from ``<meta>``/``<time>``/JSON-LD
  markup. A fragment too small for trafilatura is converted by the standard library's HTMLParser
  with the same rules (scripts and styles dropped).
- Plain text: the date is the first date in the opening (:data:`DATELINE_CHARS`), found by
  :data:`_DATE_CANDIDATE` and parsed by dateparser (21 May 2024, 21 May, 2024, May 21, 2024,
  2024-05-21, 21.05.2024, "5 декабря 2025"); a dateline without a year ("NEW DELHI, Dec 5")
  takes the year of another date in the opening, and has none without one.
- Sentences: syntok splits each paragraph (abbreviations such as "Rs.", "Mr.", "U.S." and
  decimal points do not end a sentence). A sentence longer than :data:`MAX_SENTENCE_CHARS`
  (a paragraph with no full stops) is cut into windows of that size, so that a claim never
  carries more than that much text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date
from html.parser import HTMLParser
from pathlib import Path

from bilateral.errors import InputError
from bilateral.inputs import ARTICLE_MAX_BYTES, read_bytes

__all__ = ["DATELINE_CHARS", "MAX_SENTENCE_CHARS", "Article", "Sentence", "find_article_date", "html_to_text",
           "looks_like_html", "one_sentence", "read_article", "read_document", "split_sentences"]

#: how far into a plain-text article the date finder looks (the dateline and the byline)
DATELINE_CHARS = 800
#: the longest sentence a claim carries; longer runs of text are cut into windows of this size
MAX_SENTENCE_CHARS = 1_000
#: how much of a file is looked at to tell HTML from text, and binary from both
SNIFF_CHARS = 5_000
#: trafilatura's output shorter than this share of the plain conversion is not trusted (a page it
#: mistook for boilerplate); the plain conversion is used instead
TRAFILATURA_MIN_SHARE = 0.2

_LOOKS_HTML = re.compile(r"<\s*(?:!doctype|html|body|p|div|article|h[1-6]|meta|head|span|section|br|time)\b",
                         re.IGNORECASE)


@dataclass(frozen=True)
class Article:
    """An article as read: its text (paragraphs separated by blank lines) and what is known about it."""

    text: str
    date: Date | None = None
    date_source: str = ""  # "html metadata (htmldate)", "dateline", or "" when none was found
    title: str = ""
    html: bool = False


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article: its paragraph number, its place among all sentences, its text."""

    paragraph: int
    number: int
    text: str


def looks_like_html(text: str) -> bool:
    """Whether a document is HTML (a tag of page structure in its opening)."""
    return bool(_LOOKS_HTML.search(text[:SNIFF_CHARS]))


class _PlainText(HTMLParser):
    """The fallback HTML-to-text conversion: block elements become paragraphs; scripts, styles dropped."""

    BLOCK = frozenset({"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "article", "section",
                       "header", "footer", "blockquote", "figcaption", "td", "th", "ul", "ol", "table"})
    SKIP = frozenset({"script", "style", "noscript", "template", "svg", "title", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t\r\f\v\u00a0]+", " ", text)
    return re.sub(r"\s*\n\s*\n\s*", "\n\n", text).strip()


def html_to_text(html: str) -> str:
    """The readable text of HTML with the standard library: paragraphs kept, scripts and styles dropped."""
    p = _PlainText()
    p.feed(html)
    p.close()
    return _tidy("".join(p.parts))


def _html_date(html: str) -> Date | None:
    """The publication date in a page's markup (htmldate, metadata only: no guessing from the text)."""
    from htmldate import find_date

    found = find_date(html, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    if not found:
        return None
    try:
        return Date.fromisoformat(found)
    except ValueError:
        return None


def _read_html(html: str) -> Article:
    import trafilatura

    plain = html_to_text(html)
    extracted = trafilatura.extract(html, output_format="txt", include_comments=False, include_tables=True,
                                    favor_recall=True, deduplicate=False, with_metadata=False)
    text = plain
    if extracted and len(extracted) >= TRAFILATURA_MIN_SHARE * len(plain):
        # trafilatura puts one paragraph a line
        text = _tidy("\n\n".join(line for line in extracted.splitlines() if line.strip()))
    when = _html_date(html)
    if when is None:
        when = find_article_date(text)
        source = "dateline" if when else ""
    else:
        source = "html metadata (htmldate)"
    title = ""
    m = re.search(r"<title[^>]*>(.*?)</title>", html[:SNIFF_CHARS * 4], re.IGNORECASE | re.DOTALL)
    if m:
        title = " ".join(html_to_text(m[1]).split())
    return Article(text=text, date=when, date_source=source, title=title, html=True)


def read_document(raw: str) -> Article:
    """An article from its text or HTML (the one reader of the CLI, the web form and the API)."""
    if looks_like_html(raw):
        return _read_html(raw)
    text = _tidy(raw)
    when = find_article_date(text)
    return Article(text=text, date=when, date_source="dateline" if when else "")


def read_article(path: Path) -> Article:
    """An article file (text or HTML) read with :func:`read_document`; InputError when it cannot be read.

    Read through :func:`bilateral.inputs.read_bytes` like every input: a folder, FIFO, device or socket
    (also behind a symlink) is refused before it is opened, and a file over
    :data:`~bilateral.inputs.ARTICLE_MAX_BYTES` by its size.
    """
    raw = read_bytes(Path(path), "article", ARTICLE_MAX_BYTES)
    if b"\x00" in raw[:8192]:
        raise InputError("not a text or HTML file (it holds binary data); give an article as text or HTML",
                         file=str(path))
    return read_document(raw.decode("utf-8", errors="replace"))


# -- dates ------------------------------------------------------------------------------------------------
_MON = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
        r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|"
        r"октября|ноября|декабря)\.?")
#: the date forms looked for in an opening; each match is handed to dateparser
_DATE_CANDIDATE = re.compile(
    rf"\b(?:(?P<iso>(?:19|20)\d{{2}}-\d{{2}}-\d{{2}})|(?P<dotted>\d{{1,2}}\.\d{{1,2}}\.(?:19|20)\d{{2}})"
    rf"|(?P<dmy>\d{{1,2}}\s+{_MON},?\s+(?:19|20)\d{{2}})|(?P<mdy>{_MON}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}})"
    rf"|(?P<md>(?<![\w-]){_MON}\s+\d{{1,2}}\b(?![,.]?\s*\d))|(?P<dm>\b\d{{1,2}}\s+{_MON}(?![,\s]*(?:19|20)\d{{2}})))",
    re.IGNORECASE)


def _parse_date(text: str, order: str) -> Date | None:
    import dateparser

    settings = {"DATE_ORDER": order, "PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"],
                "RETURN_AS_TIMEZONE_AWARE": False}
    try:
        parsed = dateparser.parse(text.rstrip(".,"), languages=["en", "ru"], settings=settings)  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        return None
    return parsed.date() if parsed is not None else None


def find_article_date(text: str) -> Date | None:
    """The first full date in the article's opening, or a year-less dateline with the opening's year."""
    head = text[:DATELINE_CHARS]
    full: list[tuple[int, Date]] = []
    partial: list[tuple[int, str]] = []
    for m in _DATE_CANDIDATE.finditer(head):
        kind = m.lastgroup or ""
        if kind in ("md", "dm"):
            partial.append((m.start(), m.group(0)))
            continue
        d = _parse_date(m.group(0), "DMY" if kind in ("dotted", "dmy") else "YMD" if kind == "iso" else "MDY")
        if d is not None:
            full.append((m.start(), d))
    if not full:
        return None
    first_at, first = min(full)
    for at, words in partial:  # "NEW DELHI, Dec 5" before a "2025" elsewhere in the opening
        if at < first_at:
            d = _parse_date(f"{words} {first.year}", "MDY" if words[0].isalpha() else "DMY")
            if d is not None:
                return d
    return first


# -- sentences --------------------------------------------------------------------------------------------
#: a sentence worth reading closely: it holds a digit or a word that states a period, a multiple or a flow
_WORTH = re.compile(r"\d|fold\b|times\b|doubled|tripled|trebled|quadrupled|fiscal|financial\s+year|last\s+year|"
                    r"months?\b|half\b|quarter|period|same|year|this|that", re.IGNORECASE)


_PARAGRAPH = re.compile(r"\n\s*\n")
#: what a paragraph syntok reads as one sentence is made of: letters, digits, spaces, inner punctuation,
#: currency signs, dashes and quotes, and decimal points between digits (see :func:`one_sentence`)
_ONE_SENTENCE = re.compile(r"(?:[\w ,:'\"’‘“”$%&+/*#@₹€£₽–—-]|(?<=\d)\.(?=\d))*")
#: the run a one-sentence paragraph may end with (its terminal and closing quotes)
_FINAL = ".!?'\"’”"
#: what a one-sentence paragraph may start with besides a letter or digit
_OPENERS = "$₹€£₽'\"‘“"


def _windows(text: str) -> list[str]:
    if len(text) <= MAX_SENTENCE_CHARS:
        return [text]
    out: list[str] = []
    rest = text
    while len(rest) > MAX_SENTENCE_CHARS:
        cut = rest.rfind(" ", MAX_SENTENCE_CHARS // 2, MAX_SENTENCE_CHARS)
        cut = cut if cut > 0 else MAX_SENTENCE_CHARS
        out.append(rest[:cut].strip())
        rest = rest[cut:]
    if rest.strip():
        out.append(rest.strip())
    return out


def one_sentence(flat: str) -> bool:
    """Whether syntok would read a whitespace-normalised paragraph as one sentence, without asking it.

    True only when nothing inside it can end a sentence or open one for syntok: no terminal
    (``. ! ? ;`` and the like) but a decimal point between two digits or a run at the very end, no
    bracket, no character outside :data:`_ONE_SENTENCE`; it starts and ends on a letter or digit
    (or a currency sign or quote at the start, a ``%`` at the end). Then syntok's one sentence is
    the whole paragraph (``tests/test_claims_speed.py`` checks this against syntok). Most
    paragraphs of news copy are one sentence, and syntok is the slowest part of reading them.
    """
    core = flat.rstrip(_FINAL)
    return (bool(core) and (core[0].isalnum() or core[0] in _OPENERS) and (core[-1].isalnum() or core[-1] == "%")
            and _ONE_SENTENCE.fullmatch(core) is not None)


def split_sentences(text: str) -> list[Sentence]:
    """The article's sentences (syntok), numbered; paragraphs with nothing to read are kept as one sentence."""
    from syntok import segmenter

    out: list[Sentence] = []
    for n, para in enumerate(_PARAGRAPH.split(text)):
        flat = " ".join(para.split())
        if not flat:
            continue
        if not _WORTH.search(flat) or one_sentence(flat):  # one unit, unsplit
            for piece in _windows(flat):
                out.append(Sentence(n, len(out), piece))
            continue
        for tokens in (s for p in segmenter.analyze(flat) for s in p):
            if not tokens:
                continue
            start, end = tokens[0].offset, tokens[-1].offset + len(tokens[-1].value)
            for piece in _windows(flat[start:end]):
                out.append(Sentence(n, len(out), piece))
    return out
