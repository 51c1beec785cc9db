"""A question in, an exact answer out: start reading here.

answer() runs the pipeline of kg/ask/pipeline.py: parse (what is asked) -> link (which entities)
-> plan (answer shape, focus, relation) -> execute (SPARQL and passage search) -> compose (the
answer object of ../shared/eval/README.md).
"""

from kg.ask.pipeline import MAX_QUESTION_CHARS, answer, check_question

__all__ = ["MAX_QUESTION_CHARS", "answer", "check_question"]
