"""Generic statements: short sentences that settle a question with a general truth.

A thought-terminating cliché is "a short, generic sentence that offers a seemingly
simple answer to a complex question" (SemEval-2023 Task 3's Conversation_Killer,
PTC's Thought-terminating_Cliches): "No plan is perfect.", "A leopard cannot
change its spots." PTC's 76 training clichés are too few, and too varied, for
the trained span model to learn them (its cross-validated F1 for the label is
about 0.28), so this rule marks the grammatical form of the generic statement:

* one declarative sentence of 3 to 12 words, starting with a capital letter and
  ending in a full stop or an exclamation mark;
* its main verb in the present tense (or a modal's bare verb), with one subject:
  a common noun (no name, no pronoun, no possessive) with a generic
  determiner (a, an, no, every, all, any, each);
* a quantifier that makes it general (no, every, all, any, each on the subject)
  or a modal or negation on the verb (cannot, must, will, never, always);
* no named entity, no number, no subordinate or relative clause.

Passives ("Every vote must be counted.") are left out: on PTC they added 4
sentences and no cliché.

On PTC (train and dev, 446 articles, 20,875 sentences as spaCy's small English
pipeline splits them) the rule fires on 5 sentences; 2 lie in gold
Thought-terminating_Cliches spans ("But no plan is perfect.", "But no
government operation ever goes perfectly."), and the other 3 are platitudes of
the same kind that the annotators left unmarked ("Every country arrests
people."). :data:`CLICHE_SCORE` is that measured precision. Where the
sentence names no target, the target is the subject of the next (else the
previous) sentence of the same paragraph, which the cliché is about
(:func:`narrascope.extract.techniques.targets.context_target`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = ["CLICHE", "CLICHE_SCORE", "generic_statements", "is_generic_statement"]

CLICHE = "Thought-terminating_Cliches"
CLICHE_SCORE = 0.4  #: precision of the rule against PTC's gold spans (2 of 5 sentences)

_GENERIC = frozenset({"a", "an", "no", "every", "all", "any", "each"})
_QUANTIFIERS = frozenset({"no", "every", "all", "any", "each"})
_ADVERBS = frozenset({"never", "always"})
_PRESENT = frozenset({"VBZ", "VBP", "VB"})
_CLAUSES = frozenset({"ccomp", "advcl", "relcl", "acl", "xcomp", "csubj", "csubjpass"})
_PAST_AUX = frozenset({"would", "could", "might", "did", "was", "were", "had"})


def is_generic_statement(sent: Span) -> bool:
    """Whether ``sent`` (one sentence) has the form of a generic statement (module doc)."""
    words = [t for t in sent if not (t.is_punct or t.is_space)]
    if not 3 <= len(words) <= 12 or sent.text.rstrip(" \n\"'”’")[-1:] not in {".", "!"}:
        return False
    if not words[0].is_title:
        return False
    if any(t.ent_type_ or t.like_num or t.dep_ in _CLAUSES for t in sent):
        return False
    root = sent.root
    if root.pos_ not in {"VERB", "AUX"} or root.tag_ not in _PRESENT:
        return False
    auxes = [c for c in root.children if c.dep_ in {"aux", "auxpass"}]
    modal = any(c.tag_ == "MD" for c in auxes)
    if any(c.tag_ == "VBD" or c.lower_ in _PAST_AUX for c in auxes):
        return False
    if root.tag_ == "VB" and not modal:
        return False  # an imperative, not a statement
    subjects = [c for c in root.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if len(subjects) != 1:
        return False
    subj = subjects[0]
    if subj.pos_ != "NOUN" or any(c.dep_ == "poss" for c in subj.children):
        return False
    dets = [c.lower_ for c in subj.children if c.dep_ == "det"]
    if not dets or dets[0] not in _GENERIC:
        return False
    negated = any(c.dep_ == "neg" for c in root.children)
    general = dets[0] in _QUANTIFIERS
    return general or modal or negated or any(t.lower_ in _ADVERBS for t in sent)


def generic_statements(doc: Doc) -> list[Span]:
    """The sentences of ``doc`` that are generic statements, without trailing white space.

    spaCy keeps the line break that ends a paragraph in its last sentence; a
    span must end at the sentence's last character.
    """
    out = []
    for sent in doc.sents:
        if is_generic_statement(sent):
            end = sent.end
            while end > sent.start and doc[end - 1].is_space:
                end -= 1
            out.append(doc[sent.start : end])
    return out
