"""The answer pipeline: parse -> link -> plan -> execute -> compose (kg/ask/pipeline.py)."""
